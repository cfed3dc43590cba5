//! Kraken's wire format: messages parsed from their JSON text with exact decimals, the local
//! order book with its CRC32 checksum, and request signing. No I/O.
