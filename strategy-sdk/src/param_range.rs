//! Ranges of numeric parameters: the bounds a [`ParamSpec`] may carry, and the check that
//! [`Params::parse`](crate::Params::parse) applies to every value, defaults included.
//!
//! Bounds are inclusive and either may be absent. Only integers and decimals have an order, so
//! only they take a range; an integer bound of a decimal parameter is that decimal (`between(1,
//! 5)` reads naturally for a decimal too), any other mix is [`ParamError::BadRange`].

use std::cmp::Ordering;

use rust_decimal::Decimal;

use crate::params::{ParamBounds, ParamError, ParamSpec, ParamValue};

impl ParamSpec {
    /// The same parameter, refusing values below `min`.
    ///
    /// ```
    /// use strategy_sdk::{ParamSpec, Params};
    ///
    /// let specs = [ParamSpec::integer("fast", 10, "Fast period").between(1, 500)];
    /// let error = Params::parse(&specs, r#"{"fast": 0}"#).unwrap_err();
    /// assert_eq!(error.to_string(), "param `fast`: must be within 1 ..= 500, got 0");
    /// ```
    #[must_use]
    pub fn at_least(mut self, min: impl Into<ParamValue>) -> Self {
        self.min = Some(min.into());
        self
    }

    /// The same parameter, refusing values above `max`.
    #[must_use]
    pub fn at_most(mut self, max: impl Into<ParamValue>) -> Self {
        self.max = Some(max.into());
        self
    }

    /// The same parameter, refusing values outside `min ..= max`.
    #[must_use]
    pub fn between(self, min: impl Into<ParamValue>, max: impl Into<ParamValue>) -> Self {
        self.at_least(min).at_most(max)
    }

    /// Whether `value` (of this spec's kind) lies within the range.
    ///
    /// # Errors
    ///
    /// [`ParamError::OutOfRange`] when it does not, [`ParamError::BadRange`] when a bound is
    /// not a number of the spec's kind.
    pub(crate) fn check_range(&self, value: &ParamValue) -> Result<(), ParamError> {
        let below = match &self.min {
            Some(min) => self.compare(value, min)? == Ordering::Less,
            None => false,
        };
        let above = match &self.max {
            Some(max) => self.compare(value, max)? == Ordering::Greater,
            None => false,
        };
        if below || above {
            return Err(ParamError::OutOfRange {
                name: self.name.clone(),
                got: value.to_json(),
                bounds: Box::new(ParamBounds {
                    min: self.min.as_ref().map(ParamValue::to_json),
                    max: self.max.as_ref().map(ParamValue::to_json),
                }),
            });
        }
        Ok(())
    }

    fn compare(&self, value: &ParamValue, bound: &ParamValue) -> Result<Ordering, ParamError> {
        match (value, bound) {
            (ParamValue::Integer(value), ParamValue::Integer(bound)) => Ok(value.cmp(bound)),
            (ParamValue::Decimal(value), ParamValue::Decimal(bound)) => Ok(value.cmp(bound)),
            (ParamValue::Decimal(value), ParamValue::Integer(bound)) => Ok(value.cmp(&Decimal::from(*bound))),
            _ => Err(ParamError::BadRange {
                name: self.name.clone(),
                bound: bound.to_json(),
            }),
        }
    }
}

impl From<i64> for ParamValue {
    fn from(value: i64) -> Self {
        ParamValue::Integer(value)
    }
}

impl From<Decimal> for ParamValue {
    fn from(value: Decimal) -> Self {
        ParamValue::Decimal(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Params;

    fn parse(specs: &[ParamSpec], json: &str) -> Result<Params, String> {
        Params::parse(specs, json).map_err(|error| error.to_string())
    }

    #[test]
    fn bounds_are_inclusive_and_each_side_is_optional() {
        let specs = [
            ParamSpec::integer("fast", 10, "").between(1, 500),
            ParamSpec::decimal("risk", Decimal::new(1, 2), "")
                .at_least(Decimal::new(1, 3))
                .at_most(1),
        ];
        assert!(parse(&specs, r#"{"fast": 1, "risk": "0.001"}"#).is_ok());
        assert!(parse(&specs, r#"{"fast": 500, "risk": 1}"#).is_ok());
        assert_eq!(
            parse(&specs, r#"{"fast": 501}"#).unwrap_err(),
            "param `fast`: must be within 1 ..= 500, got 501"
        );
        assert_eq!(
            parse(&specs, r#"{"risk": "1.5"}"#).unwrap_err(),
            "param `risk`: must be within 0.001 ..= 1, got 1.5"
        );
        let lower_only = [ParamSpec::integer("n", 3, "").at_least(2)];
        assert_eq!(
            parse(&lower_only, r#"{"n": 1}"#).unwrap_err(),
            "param `n`: must be at least 2, got 1"
        );
        let upper_only = [ParamSpec::integer("n", 3, "").at_most(5)];
        assert_eq!(
            parse(&upper_only, r#"{"n": 9}"#).unwrap_err(),
            "param `n`: must be at most 5, got 9"
        );
    }

    #[test]
    fn a_default_outside_its_range_is_refused_too() {
        let specs = [ParamSpec::integer("fast", 0, "").at_least(1)];
        assert_eq!(
            parse(&specs, "").unwrap_err(),
            "param `fast`: must be at least 1, got 0"
        );
    }

    #[test]
    fn a_bound_of_another_kind_is_a_manifest_bug_not_a_panic() {
        let specs = [ParamSpec::integer("fast", 3, "").at_least(Decimal::new(15, 1))];
        assert_eq!(
            parse(&specs, "").unwrap_err(),
            "param `fast`: its range bound 1.5 is not a number of its kind"
        );
        let text = [ParamSpec::text("label", "a", "").at_most(3)];
        assert!(parse(&text, "").is_err());
    }
}
