//! CPE names (2.3 formatted strings and 2.2 URIs), reduced to what matching needs.
//!
//! tekigo matches CPEs only when a component states one: guessing CPEs from package names is
//! what makes NVD-driven scanners report vulnerabilities of a different product that happens
//! to share a name.

/// The fields of a CPE that decide a match. `*` is ANY, `-` is NA, values are lower-case and
/// unescaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cpe {
    pub part: String,
    pub vendor: String,
    pub product: String,
    pub version: String,
    pub update: String,
}

impl Cpe {
    /// Parses `cpe:2.3:a:vendor:product:version:update:...` or `cpe:/a:vendor:product:...`.
    pub fn parse(text: &str) -> Option<Cpe> {
        let text = text.trim();
        let fields: Vec<String> = if let Some(rest) = text.strip_prefix("cpe:2.3:") {
            split_escaped(rest)
        } else if let Some(rest) = text.strip_prefix("cpe:/") {
            rest.split(':').map(percent_decode).collect()
        } else {
            return None;
        };
        let get = |i: usize| -> String {
            match fields.get(i).map(String::as_str) {
                None | Some("") => "*".to_string(),
                Some(v) => v.to_ascii_lowercase(),
            }
        };
        let cpe = Cpe {
            part: get(0),
            vendor: get(1),
            product: get(2),
            version: get(3),
            update: get(4),
        };
        let part_ok = matches!(cpe.part.as_str(), "a" | "o" | "h" | "*");
        (part_ok && cpe.vendor != "*" && cpe.product != "*").then_some(cpe)
    }

    /// The index key part: `vendor:product`.
    pub fn vendor_product(&self) -> String {
        format!("{}:{}", self.vendor, self.product)
    }

    /// Whether `self` (a pattern) and `name` (a component's CPE) agree on part, vendor and
    /// product. Versions are compared separately with the ecosystem's rules.
    pub fn same_product(&self, name: &Cpe) -> bool {
        (self.part == "*" || name.part == "*" || self.part == name.part)
            && self.vendor == name.vendor
            && self.product == name.product
    }

    /// A concrete value (not ANY or NA).
    pub fn is_specific(value: &str) -> bool {
        value != "*" && value != "-" && !value.is_empty()
    }
}

fn split_escaped(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            ':' => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatted_strings_and_uris() {
        let c = Cpe::parse("cpe:2.3:a:google:tensorflow:2.9.0:rc0:*:*:*:*:*:*").unwrap();
        assert_eq!(
            (
                c.part.as_str(),
                c.vendor_product(),
                c.version.as_str(),
                c.update.as_str()
            ),
            ("a", "google:tensorflow".to_string(), "2.9.0", "rc0")
        );
        let c = Cpe::parse("cpe:/a:csaf-tools:cvrf-csaf-converter:1.0.0-alpha").unwrap();
        assert_eq!(c.vendor_product(), "csaf-tools:cvrf-csaf-converter");
        assert_eq!(
            (c.version.as_str(), c.update.as_str()),
            ("1.0.0-alpha", "*")
        );
        let c = Cpe::parse(r"cpe:2.3:a:vendor\:x:prod:1.0:*:*:*:*:*:*:*").unwrap();
        assert_eq!(c.vendor, "vendor:x");
        let c = Cpe::parse("cpe:/o:redhat:enterprise_linux:10").unwrap();
        assert_eq!((c.part.as_str(), c.version.as_str()), ("o", "10"));
        assert_eq!(Cpe::parse("cpe:/a:x%3ay:p").unwrap().vendor, "x:y");
        assert!(Cpe::parse("cpe:2.3:a:*:*:1").is_none());
        assert!(Cpe::parse("pkg:npm/x").is_none());
        assert!(Cpe::parse("cpe:2.3:q:v:p").is_none());
        assert!(Cpe::parse("cpe:/a:v:p%").is_some());
        assert!(Cpe::parse("cpe:/a:v:p%é1").is_some());
    }
}
