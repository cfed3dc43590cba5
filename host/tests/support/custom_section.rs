//! New versions of a component without building one: the same code with a custom section
//! appended, so a different file and SHA-256. Shared by the tests and the reload benchmark
//! (host/examples/reload.rs includes this file by path).

/// `component` with a custom section appended: a different file (and SHA-256) with the same code,
/// which is how tests make "a new version" without building one.
pub fn with_custom_section(component: &[u8], name: &str, payload: &[u8]) -> Vec<u8> {
    let mut content = leb128(name.len());
    content.extend_from_slice(name.as_bytes());
    content.extend_from_slice(payload);
    let mut out = component.to_vec();
    out.push(0); // custom section id
    out.extend(leb128(content.len()));
    out.extend(content);
    out
}

fn leb128(mut n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}
