//! `wire_enum!`: one declaration per venue string enum, giving its wire spelling, its parser
//! and serde support, instead of a hand-written `match` pair per enum.
//!
//! Two forms: a closed enum, whose unknown values are a parse error naming the accepted ones
//! (for order states: an execution a venue adds a state to must not be silently misread), and
//! an open one with an `Unrecognized(String)` variant (for reference data such as a pair's
//! status, where a new value must not drop the whole instrument list).

/// Declares a venue string enum. Wire values compare ASCII case-insensitively: Kraken documents
/// `gtc` but sends `GTC` in executions.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name { $( $(#[$vmeta])* $variant ),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// Parses a wire spelling (ASCII case-insensitive).
            pub fn from_wire(text: &str) -> Option<Self> {
                $( if text.eq_ignore_ascii_case($wire) { return Some($name::$variant); } )+
                None
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                $name::from_wire(&text).ok_or_else(|| {
                    serde::de::Error::custom(format_args!(
                        "unknown value `{}`, expected one of: {}",
                        text.chars().take(40).collect::<String>(),
                        [$($wire),+].join(", ")
                    ))
                })
            }
        }
    };
    (
        $(#[$meta:meta])*
        $vis:vis open enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, as written.
            Unrecognized(String),
        }

        impl $name {
            /// The wire spelling.
            pub fn as_str(&self) -> &str {
                match self { $($name::$variant => $wire,)+ $name::Unrecognized(text) => text }
            }

            /// Parses a wire spelling (ASCII case-insensitive); unknown text is kept.
            pub fn from_wire(text: &str) -> Self {
                $( if text.eq_ignore_ascii_case($wire) { return $name::$variant; } )+
                $name::Unrecognized(text.to_owned())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok($name::from_wire(&text))
            }
        }
    };
}

pub(crate) use wire_enum;
