//! Tests of the parent module (filled in below).
