//! crypt(3) hashes as they appear in `/etc/shadow`: which scheme a hash uses, and whether a
//! known password matches it. Verification is pure Rust (yescrypt from RustCrypto, the
//! classic schemes from `pwhash`), so nothing from the image is executed and the binary
//! links no C library.

use yescrypt::PasswordVerifier;

/// The hashing scheme of a shadow password field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// No password at all: anyone may log in where the service allows empty passwords.
    Empty,
    /// `!` or `*`: no password can match.
    Locked,
    Yescrypt,
    GostYescrypt,
    Scrypt,
    Bcrypt,
    Sha512,
    Sha256,
    Md5,
    Sha1,
    BsdiDes,
    Des,
    /// Something else, possibly a password stored in clear.
    Unknown,
}

impl Scheme {
    pub fn of(hash: &str) -> Scheme {
        if hash.is_empty() {
            return Scheme::Empty;
        }
        if hash.starts_with('!') || hash.starts_with('*') {
            return Scheme::Locked;
        }
        let prefixes = [
            ("$y$", Scheme::Yescrypt),
            ("$gy$", Scheme::GostYescrypt),
            ("$7$", Scheme::Scrypt),
            ("$2a$", Scheme::Bcrypt),
            ("$2b$", Scheme::Bcrypt),
            ("$2y$", Scheme::Bcrypt),
            ("$6$", Scheme::Sha512),
            ("$5$", Scheme::Sha256),
            ("$1$", Scheme::Md5),
            ("$sha1$", Scheme::Sha1),
        ];
        if let Some((_, s)) = prefixes.iter().find(|(p, _)| hash.starts_with(p)) {
            return *s;
        }
        let crypt64 = |s: &str| {
            s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'/')
        };
        if hash.len() == 20 && hash.starts_with('_') && crypt64(&hash[1..]) {
            return Scheme::BsdiDes;
        }
        if hash.len() == 13 && crypt64(hash) {
            return Scheme::Des;
        }
        Scheme::Unknown
    }

    pub fn name(self) -> &'static str {
        match self {
            Scheme::Empty => "empty",
            Scheme::Locked => "locked",
            Scheme::Yescrypt => "yescrypt",
            Scheme::GostYescrypt => "gost-yescrypt",
            Scheme::Scrypt => "scrypt",
            Scheme::Bcrypt => "bcrypt",
            Scheme::Sha512 => "sha512crypt",
            Scheme::Sha256 => "sha256crypt",
            Scheme::Md5 => "md5crypt",
            Scheme::Sha1 => "sha1crypt",
            Scheme::BsdiDes => "bsdi-des",
            Scheme::Des => "des",
            Scheme::Unknown => "unknown",
        }
    }

    /// Strong enough against offline guessing today: memory-hard or many-round schemes.
    pub fn is_strong(self) -> bool {
        matches!(
            self,
            Scheme::Yescrypt
                | Scheme::GostYescrypt
                | Scheme::Scrypt
                | Scheme::Bcrypt
                | Scheme::Sha512
                | Scheme::Sha256
        )
    }
}

/// Whether `password` matches `hash`; `None` when the scheme cannot be verified here.
pub fn verify(password: &str, hash: &str) -> Option<bool> {
    match Scheme::of(hash) {
        Scheme::Yescrypt => Some(
            yescrypt::Yescrypt::default()
                .verify_password(password.as_bytes(), hash)
                .is_ok(),
        ),
        Scheme::Sha512
        | Scheme::Sha256
        | Scheme::Md5
        | Scheme::Bcrypt
        | Scheme::Sha1
        | Scheme::BsdiDes
        | Scheme::Des => Some(pwhash::unix::verify(password, hash)),
        Scheme::Empty => Some(password.is_empty()),
        Scheme::Locked | Scheme::GostYescrypt | Scheme::Scrypt | Scheme::Unknown => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert_eq!(Scheme::of("$y$j9T$abc$def"), Scheme::Yescrypt);
        assert_eq!(Scheme::of("$6$salt$x"), Scheme::Sha512);
        assert_eq!(Scheme::of("$1$salt$x"), Scheme::Md5);
        assert_eq!(Scheme::of("aZGJuE6EXrjEE"), Scheme::Des);
        assert_eq!(Scheme::of("!$6$x"), Scheme::Locked);
        assert_eq!(Scheme::of("*"), Scheme::Locked);
        assert_eq!(Scheme::of(""), Scheme::Empty);
        assert_eq!(Scheme::of("hunter2"), Scheme::Unknown);
        assert!(!Scheme::Md5.is_strong());
        assert!(Scheme::Yescrypt.is_strong());
    }

    #[test]
    fn classic_des_from_pwhash_docs() {
        assert_eq!(verify("test", "aZGJuE6EXrjEE"), Some(true));
        assert_eq!(verify("nope", "aZGJuE6EXrjEE"), Some(false));
    }
}
