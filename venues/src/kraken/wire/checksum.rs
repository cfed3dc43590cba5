//! Kraken's WebSocket v2 book checksum: CRC32-IEEE over the top ten asks (low → high) then
//! the top ten bids (high → low), each level written as its price then its quantity, each
//! printed with the pair's precision, `.` removed and leading zeros removed.
//!
//! The printing is the subtle part. The checksum is over the digits Kraken prints, which always
//! carry the pair's precision (`0.00100000` for 8 quantity decimals), while a decimal read from
//! a wire that dropped trailing zeros (`0.001`) has fewer. So each number is rescaled to the
//! precision first: `0.001` at 8 decimals is the integer `100000`, which is exactly the
//! trimmed text. A number with more decimals than the precision is refused, not rounded: it
//! means the precision is wrong, and rounding would hide that.
//!
//! [`LevelDigits`] is one level's text, computed once when the level is stored, so verifying a
//! message costs one CRC over at most twenty cached strings rather than forty formattings.

use rust_decimal::Decimal;

use super::book::{BookError, BookPrecision};

/// Digits of an `i128`, the widest a rescaled decimal can be.
const MAX_NUMBER_DIGITS: usize = 39;

/// The checksum covers this many levels per side, whatever the subscribed depth.
pub(crate) const CHECKSUM_LEVELS: usize = 10;

/// One level's checksum text: price digits then quantity digits.
#[derive(Clone, Copy)]
pub(crate) struct LevelDigits {
    bytes: [u8; 2 * MAX_NUMBER_DIGITS],
    len: u8,
}

impl LevelDigits {
    /// Prints `price` and `qty` as the checksum does, at `precision`.
    pub(crate) fn new(price: Decimal, qty: Decimal, precision: BookPrecision) -> Result<Self, BookError> {
        let mut digits = LevelDigits {
            bytes: [0; 2 * MAX_NUMBER_DIGITS],
            len: 0,
        };
        digits.push(price, precision.price(), price, qty)?;
        digits.push(qty, precision.qty(), price, qty)?;
        Ok(digits)
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }

    fn push(&mut self, value: Decimal, precision: u32, price: Decimal, qty: Decimal) -> Result<(), BookError> {
        let invalid = |reason: &'static str| BookError::InvalidLevel { price, qty, reason };
        let integer = rescaled(value, precision).map_err(invalid)?;
        let mut scratch = [0u8; MAX_NUMBER_DIGITS];
        let mut at = MAX_NUMBER_DIGITS;
        // 64-bit division is far cheaper than 128-bit, and nearly every price and quantity fits
        // 64 bits; a wider one is printed in 19-digit chunks, lowest first, each but the highest
        // zero-padded.
        match u64::try_from(integer) {
            Ok(small) => write_digits(&mut scratch, &mut at, small, 0),
            Err(_) => {
                const TEN_POW_19: u128 = 10_000_000_000_000_000_000;
                let mut rest = integer;
                loop {
                    // Below 10^19, so it fits 64 bits.
                    let chunk = u64::try_from(rest % TEN_POW_19).unwrap_or_default();
                    rest /= TEN_POW_19;
                    write_digits(&mut scratch, &mut at, chunk, if rest > 0 { 19 } else { 0 });
                    if rest == 0 {
                        break;
                    }
                }
            }
        }
        let text = scratch.get(at..).unwrap_or_default();
        let start = usize::from(self.len);
        let end = start + text.len();
        let slot = self.bytes.get_mut(start..end).ok_or(invalid("too many digits"))?;
        slot.copy_from_slice(text);
        self.len = u8::try_from(end).map_err(|_| invalid("too many digits"))?;
        Ok(())
    }
}

/// Writes `value`'s decimal digits right to left, ending before `*at`, padded with zeros to
/// `min_digits`; zero with no padding writes nothing (all its digits are leading zeros).
fn write_digits(buffer: &mut [u8], at: &mut usize, mut value: u64, min_digits: usize) {
    let end = *at;
    while (value > 0 || end - *at < min_digits) && *at > 0 {
        *at -= 1;
        if let Some(slot) = buffer.get_mut(*at) {
            // `value % 10` is below 10, so the cast cannot truncate.
            *slot = b'0' + (value % 10) as u8;
        }
        value /= 10;
    }
}

/// `value × 10^precision` as an exact non-negative integer.
fn rescaled(value: Decimal, precision: u32) -> Result<u128, &'static str> {
    if value.is_sign_negative() && !value.is_zero() {
        return Err("negative");
    }
    let mantissa = value.mantissa().unsigned_abs();
    let scale = value.scale();
    if scale > precision {
        let divisor = pow10(scale - precision).ok_or("more decimals than the pair's precision")?;
        if !mantissa.is_multiple_of(divisor) {
            return Err("more decimals than the pair's precision");
        }
        Ok(mantissa / divisor)
    } else {
        pow10(precision - scale)
            .and_then(|m| mantissa.checked_mul(m))
            .ok_or("too many digits at the pair's precision")
    }
}

fn pow10(exponent: u32) -> Option<u128> {
    10u128.checked_pow(exponent)
}

/// CRC32 of the checksum texts of the top asks then the top bids, each best first. `scratch`
/// holds the concatenation: one CRC update over it is much cheaper than twenty small ones, and
/// reusing it spares an allocation per message.
pub(crate) fn crc_of<'a>(
    asks: impl Iterator<Item = &'a LevelDigits>,
    bids: impl Iterator<Item = &'a LevelDigits>,
    scratch: &mut Vec<u8>,
) -> u32 {
    scratch.clear();
    for digits in asks.take(CHECKSUM_LEVELS).chain(bids.take(CHECKSUM_LEVELS)) {
        scratch.extend_from_slice(digits.as_bytes());
    }
    crc32fast::hash(scratch)
}

/// The checksum Kraken would send for a book whose best-first levels are `asks` and `bids`
/// (only the first ten of each count). For a fake exchange, and for checking by hand.
///
/// # Errors
/// [`BookError::InvalidLevel`] for a negative number or one with more decimals than
/// `precision`.
pub fn book_checksum(
    asks: &[(Decimal, Decimal)],
    bids: &[(Decimal, Decimal)],
    precision: BookPrecision,
) -> Result<u32, BookError> {
    let digits = |levels: &[(Decimal, Decimal)]| -> Result<Vec<LevelDigits>, BookError> {
        levels
            .iter()
            .take(CHECKSUM_LEVELS)
            .map(|&(price, qty)| LevelDigits::new(price, qty, precision))
            .collect()
    };
    let (asks, bids) = (digits(asks)?, digits(bids)?);
    Ok(crc_of(asks.iter(), bids.iter(), &mut Vec::new()))
}

/// One level's checksum text (`45285.2`, `0.00100000` → `452852100000`).
///
/// # Errors
/// As [`book_checksum`].
pub fn level_digits(price: Decimal, qty: Decimal, precision: BookPrecision) -> Result<String, BookError> {
    let digits = LevelDigits::new(price, qty, precision)?;
    Ok(String::from_utf8_lossy(digits.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn prints_levels_at_the_pairs_precision() {
        let precision = BookPrecision::new(1, 8).unwrap();
        let cases = [
            ("45285.2", "0.00100000", "452852100000"),
            ("45285.2", "0.001", "452852100000"),
            ("29426.7", "4.0", "294267400000000"),
            ("29426.7", "4", "294267400000000"),
            ("29431", "0.00011662", "29431011662"),
            ("0.5", "0.00000001", "51"),
        ];
        for (price, qty, text) in cases {
            assert_eq!(
                level_digits(d(price), d(qty), precision).unwrap(),
                text,
                "{price} {qty}"
            );
        }
    }

    #[test]
    fn refuses_more_decimals_than_the_precision_and_negatives() {
        let precision = BookPrecision::new(1, 8).unwrap();
        assert!(level_digits(d("45285.25"), d("1"), precision).is_err());
        assert!(
            level_digits(d("45285.20"), d("1"), precision).is_ok(),
            "a zero beyond the precision is harmless"
        );
        assert!(level_digits(d("-1"), d("1"), precision).is_err());
        assert!(level_digits(Decimal::MAX, d("1"), BookPrecision::new(28, 8).unwrap()).is_err());
    }

    #[test]
    fn prints_numbers_wider_than_64_bits() {
        // 2·10^28 printed at 10 decimals: 39 digits, three 19-digit chunks.
        let wide = d("20000000000000000000000000001");
        let text = level_digits(wide, Decimal::ZERO, BookPrecision::new(10, 0).unwrap()).unwrap();
        assert_eq!(text, format!("{wide}0000000000"));
        assert_eq!(text.len(), 39);
        // The largest decimal at 10 decimals no longer fits 128 bits: refused, not wrapped.
        assert!(level_digits(Decimal::MAX, Decimal::ZERO, BookPrecision::new(10, 0).unwrap()).is_err());
        let text = level_digits(
            d("18446744073709551616"),
            Decimal::ONE,
            BookPrecision::new(0, 0).unwrap(),
        )
        .unwrap();
        assert_eq!(text, "184467440737095516161");
        let text = level_digits(
            d("10000000000000000000.5"),
            Decimal::ONE,
            BookPrecision::new(1, 0).unwrap(),
        )
        .unwrap();
        assert_eq!(text, "1000000000000000000051");
    }

    #[test]
    fn the_guides_example_checksums_to_its_value() {
        let fixture: serde_json::Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/kraken/book-v2-checksum-doc-example.json"
        )))
        .unwrap();
        let asks = fixture["asks_string_low_to_high"].as_str().unwrap();
        let bids = fixture["bids_string_high_to_low"].as_str().unwrap();
        let expected = fixture["expected_checksum"].as_u64().unwrap();
        assert_eq!(u64::from(crc32fast::hash(format!("{asks}{bids}").as_bytes())), expected);
        let first = &fixture["first_ask_example"];
        let text = level_digits(
            d(first["price"].as_str().unwrap()),
            d(first["qty"].as_str().unwrap()),
            BookPrecision::new(1, 8).unwrap(),
        )
        .unwrap();
        assert_eq!(text, first["formatted"].as_str().unwrap());
        assert!(asks.starts_with(&text));
    }
}
