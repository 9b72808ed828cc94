//! Users' passwords at rest: each is kept only as its SRP salt and verifier (v = g^x, x from a salted hash
//! of the password), sealed with AES-256-GCM under a key from the configuration (`VERIFIER_KEYS`), never
//! from the database.
//!
//! Both sign-in flows check the verifier: USER_SRP_AUTH through the SRP exchange, and every call that sends
//! the password itself (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, ChangePassword) by computing g^x from
//! it and comparing, one exponentiation with the fixed-base comb. An unsealed verifier would let whoever
//! reads the database guess passwords offline at that same cost per guess; sealed, the rows are useless
//! without the key. The key's id is stored next to each ciphertext, so that keys can rotate: the first key
//! listed seals, every listed key opens, and a user's verifier moves to the first key at their next sign-in.
//! The pool and the username are the ciphertext's associated data: a blob copied into another row does not
//! open.
//!
//! The same keys seal users' other secrets at rest (their authenticator apps' TOTP secrets), each under its
//! own [`Purpose`], so that one kind of secret never opens as another.

use std::{fmt, str::FromStr, sync::Arc, sync::LazyLock};

use aws_lc_rs::{aead, constant_time};
use base64::{Engine, prelude::BASE64_STANDARD};

use super::srp::{self, Verifier};

/// What a sealed secret is, bound into its ciphertext with the format version.
#[derive(Debug, Clone, Copy)]
pub struct Purpose(&'static [u8]);

impl Purpose {
    pub const SRP_VERIFIER: Self = Self(b"ledgerline srp verifier v1");
    pub const TOTP_SECRET: Self = Self(b"ledgerline totp secret v1");
}
/// A key id: short, and safe to print in a log line.
const MAX_KEY_ID_LEN: usize = 32;
/// The verifier's bytes are compared at the group's full width, so that their length tells nothing.
const VERIFIER_WIDTH: usize = 384;

/// The keys of `VERIFIER_KEYS`: `<id>:<base64 of 32 random bytes>`, comma-separated. The first seals.
#[derive(Clone)]
pub struct VerifierKeys(Arc<[VerifierKey]>);

struct VerifierKey {
    id: String,
    aead: aead::RandomizedNonceKey,
}

/// The user a verifier belongs to: the associated data of its ciphertext.
#[derive(Debug, Clone, Copy)]
pub struct Owner<'a> {
    pub pool_id: &'a str,
    pub username: &'a str,
}

/// A verifier as stored: the id of the key that sealed it, and nonce || ciphertext || tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    pub blob: Vec<u8>,
}

/// Why a stored verifier did not open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error("it is sealed under the key id {0:?}, which VERIFIER_KEYS does not list")]
    UnknownKey(String),
    #[error("it does not open under its key as this user's (altered, or copied from another user)")]
    NotTheOwners,
}

/// The outcome of checking a password.
#[derive(Debug)]
pub enum PasswordCheck {
    /// The password is right. `reseal` is what to store instead, when what is stored is not sealed under
    /// the current key (an older key, or the form from before verifiers were sealed).
    Right {
        reseal: Option<Verifier>,
    },
    Wrong,
    /// Nothing can sign in against this user's verifier until it is readable again.
    Unreadable(OpenError),
}

impl VerifierKeys {
    /// The key new verifiers are sealed under.
    pub fn sealing_id(&self) -> &str {
        &self.0[0].id
    }

    /// Whether the key `id` is listed.
    pub fn lists(&self, id: &str) -> bool {
        self.0.iter().any(|key| key.id == id)
    }

    /// `verifier`, sealed under the current key as `owner`'s.
    pub fn seal(&self, owner: Owner<'_>, verifier: &Verifier) -> Sealed {
        let salt_len = u8::try_from(verifier.salt.len()).expect("salts are 16 bytes");
        self.seal_secret(
            Purpose::SRP_VERIFIER,
            owner,
            &[&[salt_len], verifier.salt.as_slice(), &verifier.verifier].concat(),
        )
    }

    /// The verifier in `sealed`, if it is `owner`'s and sealed under a listed key.
    pub fn open(&self, owner: Owner<'_>, sealed: &Sealed) -> Result<Verifier, OpenError> {
        let plaintext = self.open_secret(Purpose::SRP_VERIFIER, owner, sealed)?;
        let (&salt_len, rest) = plaintext.split_first().ok_or(OpenError::NotTheOwners)?;
        let (salt, verifier) = rest.split_at_checked(salt_len.into()).ok_or(OpenError::NotTheOwners)?;
        Ok(Verifier { salt: salt.to_vec(), verifier: verifier.to_vec() })
    }

    /// `secret`, sealed under the current key as `owner`'s secret of this purpose.
    pub fn seal_secret(&self, purpose: Purpose, owner: Owner<'_>, secret: &[u8]) -> Sealed {
        let key = &self.0[0];
        let mut buffer = secret.to_vec();
        let nonce = key
            .aead
            .seal_in_place_append_tag(aead::Aad::from(associated_data(purpose, owner)), &mut buffer)
            .expect("AES-GCM sealing fails only when the system's random generator does");
        Sealed { key_id: key.id.clone(), blob: [nonce.as_ref().as_slice(), &buffer].concat() }
    }

    /// The secret in `sealed`, if it is `owner`'s secret of this purpose, sealed under a listed key.
    pub fn open_secret(&self, purpose: Purpose, owner: Owner<'_>, sealed: &Sealed) -> Result<Vec<u8>, OpenError> {
        let key = self.0.iter().find(|key| key.id == sealed.key_id);
        let key = key.ok_or_else(|| OpenError::UnknownKey(sealed.key_id.clone()))?;
        let (nonce, ciphertext) = sealed.blob.split_at_checked(aead::NONCE_LEN).ok_or(OpenError::NotTheOwners)?;
        let nonce = aead::Nonce::try_assume_unique_for_key(nonce).map_err(|_| OpenError::NotTheOwners)?;
        let mut buffer = ciphertext.to_vec();
        let plaintext = key
            .aead
            .open_in_place(nonce, aead::Aad::from(associated_data(purpose, owner)), &mut buffer)
            .map_err(|_| OpenError::NotTheOwners)?;
        Ok(plaintext.to_vec())
    }

    /// A new password's verifier (fresh salt), sealed.
    pub fn for_password(&self, owner: Owner<'_>, password: &str) -> Sealed {
        self.seal(owner, &srp::make_verifier(owner.pool_id, owner.username, password))
    }

    /// Checks `password` against `stored`, `owner`'s sealed verifier, or `None` when no such user exists. Every
    /// outcome costs the same one exponentiation (an unknown user, or an unreadable verifier, is checked
    /// against a decoy), so how long the answer takes tells nothing of which it is.
    pub fn check_password(&self, owner: Owner<'_>, stored: Option<&Sealed>, password: &str) -> PasswordCheck {
        let opened = stored.map(|sealed| self.open(owner, sealed));
        let reference = match &opened {
            Some(Ok(verifier)) => verifier,
            _ => &*DECOY,
        };
        let right = password_matches(reference, owner, password);
        match opened {
            Some(Ok(verifier)) if right => {
                let current = stored.is_some_and(|sealed| sealed.key_id == self.sealing_id());
                PasswordCheck::Right { reseal: (!current).then_some(verifier) }
            }
            Some(Err(error)) => PasswordCheck::Unreadable(error),
            _ => PasswordCheck::Wrong,
        }
    }
}

/// A verifier no password is known to match, for the checks that have no real one.
static DECOY: LazyLock<Verifier> =
    LazyLock::new(|| srp::make_verifier("decoy", "decoy", &uuid::Uuid::new_v4().to_string()));

/// Whether `password` is the one `verifier` was made from: g^x computed from it with the verifier's salt,
/// compared in constant time.
fn password_matches(verifier: &Verifier, owner: Owner<'_>, password: &str) -> bool {
    #[cfg(test)]
    tests::EXPONENTIATIONS.with(|count| count.set(count.get() + 1));
    let candidate = srp::derive_verifier(owner.pool_id, owner.username, password, verifier.salt.clone());
    constant_time::verify_slices_are_equal(&full_width(&candidate.verifier), &full_width(&verifier.verifier)).is_ok()
}

fn full_width(bytes: &[u8]) -> [u8; VERIFIER_WIDTH] {
    let mut padded = [0; VERIFIER_WIDTH];
    let start = VERIFIER_WIDTH.saturating_sub(bytes.len());
    padded[start..].copy_from_slice(&bytes[bytes.len().saturating_sub(VERIFIER_WIDTH)..]);
    padded
}

/// The purpose, then the pool id and the username, each after its length.
fn associated_data(purpose: Purpose, owner: Owner<'_>) -> Vec<u8> {
    let mut data = purpose.0.to_vec();
    for part in [owner.pool_id, owner.username] {
        data.extend_from_slice(&u32::try_from(part.len()).unwrap_or(u32::MAX).to_be_bytes());
        data.extend_from_slice(part.as_bytes());
    }
    data
}

impl FromStr for VerifierKeys {
    type Err = String;

    /// The error never repeats a key.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let keys = value.split(',').map(str::trim).filter(|entry| !entry.is_empty()).enumerate().map(|(at, entry)| {
            let position = at + 1;
            let (id, key) =
                entry.split_once(':').ok_or_else(|| format!("entry {position} is not <key id>:<base64 key>"))?;
            let id_shaped = !id.is_empty()
                && id.len() <= MAX_KEY_ID_LEN
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
            if !id_shaped {
                return Err(format!(
                    "entry {position}: a key id is 1 to {MAX_KEY_ID_LEN} letters, digits, '-', '_' or '.'"
                ));
            }
            let bytes: [u8; 32] =
                BASE64_STANDARD.decode(key).ok().and_then(|bytes| bytes.try_into().ok()).ok_or_else(|| {
                    format!("key {id:?} is not the base64 of 32 bytes (e.g. `openssl rand -base64 32`)")
                })?;
            let aead = aead::RandomizedNonceKey::new(&aead::AES_256_GCM, &bytes).map_err(|_| "not an AES-256 key")?;
            Ok(VerifierKey { id: id.to_owned(), aead })
        });
        let keys: Vec<VerifierKey> = keys.collect::<Result<_, String>>()?;
        if keys.is_empty() {
            return Err("no key: set <key id>:<base64 of 32 random bytes>, e.g. 1:$(openssl rand -base64 32)".into());
        }
        if let Some(twice) = keys.iter().enumerate().find_map(|(at, key)| keys[..at].iter().find(|k| k.id == key.id)) {
            return Err(format!("key id {:?} is listed twice", twice.id));
        }
        Ok(Self(keys.into()))
    }
}

impl fmt::Debug for VerifierKeys {
    /// The ids only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("VerifierKeys").field(&self.0.iter().map(|key| key.id.as_str()).collect::<Vec<_>>()).finish()
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use aws_lc_rs::rand;

    use super::*;

    thread_local! {
        /// Password checks run on this thread so far: each costs one exponentiation.
        pub(super) static EXPONENTIATIONS: Cell<usize> = const { Cell::new(0) };
    }

    const POOL: &str = "us-east-1_AbCdEf123";
    const PASSWORD: &str = "Correct-horse-1";
    const ALICE: Owner<'static> = Owner { pool_id: POOL, username: "alice" };
    const BOB: Owner<'static> = Owner { pool_id: POOL, username: "bob" };

    fn key(id: &str) -> String {
        let mut bytes = [0; 32];
        rand::fill(&mut bytes).unwrap();
        format!("{id}:{}", BASE64_STANDARD.encode(bytes))
    }

    fn keys(spec: &str) -> VerifierKeys {
        spec.parse().unwrap()
    }

    /// The check's outcome, and how many exponentiations it ran.
    fn checked(keys: &VerifierKeys, owner: Owner<'_>, stored: Option<&Sealed>, password: &str) -> (String, usize) {
        let before = EXPONENTIATIONS.with(Cell::get);
        let outcome = match keys.check_password(owner, stored, password) {
            PasswordCheck::Right { reseal: None } => "right".to_owned(),
            PasswordCheck::Right { reseal: Some(_) } => "right, to reseal".to_owned(),
            PasswordCheck::Wrong => "wrong".to_owned(),
            PasswordCheck::Unreadable(error) => format!("unreadable: {error}"),
        };
        (outcome, EXPONENTIATIONS.with(Cell::get) - before)
    }

    #[test]
    fn every_check_costs_one_exponentiation_whatever_its_outcome() {
        let (current, other) = (key("2"), key("1"));
        let keys = keys(&format!("{current},{other}"));
        let alices = keys.for_password(ALICE, PASSWORD);
        let foreign: VerifierKeys = other.parse().unwrap();
        let under_unknown_key = self::keys(&key("9")).for_password(ALICE, PASSWORD);
        assert_eq!(checked(&keys, ALICE, Some(&alices), PASSWORD), ("right".into(), 1));
        assert_eq!(checked(&keys, ALICE, Some(&alices), "Correct-horse-2"), ("wrong".into(), 1));
        assert_eq!(checked(&keys, ALICE, None, PASSWORD), ("wrong".into(), 1));
        assert_eq!(checked(&keys, BOB, Some(&alices), PASSWORD).1, 1);
        assert_eq!(checked(&keys, ALICE, Some(&under_unknown_key), PASSWORD).1, 1);
        assert_eq!(
            checked(&keys, ALICE, Some(&foreign.for_password(ALICE, PASSWORD)), PASSWORD),
            ("right, to reseal".into(), 1)
        );
    }

    #[test]
    fn a_verifier_opens_only_as_its_owners_under_a_listed_key() {
        let keys = keys(&key("1"));
        let alices = keys.for_password(ALICE, PASSWORD);
        assert_eq!(alices.key_id, "1");
        assert_eq!(
            checked(&keys, BOB, Some(&alices), PASSWORD).0,
            "unreadable: it does not open under its key as this user's (altered, or copied from another user)"
        );
        let other_pool = Owner { pool_id: "us-east-1_Other", ..ALICE };
        assert_eq!(keys.open(other_pool, &alices), Err(OpenError::NotTheOwners));
        let relabelled = Sealed { key_id: "2".into(), ..alices.clone() };
        assert_eq!(keys.open(ALICE, &relabelled), Err(OpenError::UnknownKey("2".into())));
        let same_id_other_key = self::keys(&key("1"));
        assert_eq!(same_id_other_key.open(ALICE, &alices), Err(OpenError::NotTheOwners));
        let mut altered = alices.clone();
        altered.blob[20] ^= 1;
        assert_eq!(keys.open(ALICE, &altered), Err(OpenError::NotTheOwners));
        assert!(keys.open(ALICE, &alices).is_ok());
    }

    #[test]
    fn the_first_key_seals_and_every_listed_key_opens() {
        let (old, new) = (key("2026-05"), key("2026-11"));
        let before = keys(&old);
        let stored = before.for_password(ALICE, PASSWORD);
        let rotated = keys(&format!("{new},{old}"));
        assert_eq!(rotated.sealing_id(), "2026-11");
        let PasswordCheck::Right { reseal: Some(verifier) } = rotated.check_password(ALICE, Some(&stored), PASSWORD)
        else {
            panic!("a verifier under the old key opens, and is to be resealed");
        };
        assert_eq!(verifier, before.open(ALICE, &stored).unwrap());
        let resealed = rotated.seal(ALICE, &verifier);
        assert_eq!(resealed.key_id, "2026-11");
        assert_eq!(checked(&rotated, ALICE, Some(&resealed), PASSWORD).0, "right");
        assert!(matches!(before.open(ALICE, &resealed), Err(OpenError::UnknownKey(_))));
    }

    #[test]
    fn a_secret_opens_only_for_its_purpose() {
        let keys = keys(&key("1"));
        let sealed = keys.seal_secret(Purpose::TOTP_SECRET, ALICE, b"twenty bytes secret!");
        assert_eq!(keys.open_secret(Purpose::TOTP_SECRET, ALICE, &sealed).unwrap(), b"twenty bytes secret!");
        assert_eq!(keys.open_secret(Purpose::SRP_VERIFIER, ALICE, &sealed), Err(OpenError::NotTheOwners));
        assert_eq!(keys.open_secret(Purpose::TOTP_SECRET, BOB, &sealed), Err(OpenError::NotTheOwners));
        assert!(keys.open(ALICE, &sealed).is_err(), "not a verifier");
    }

    #[test]
    fn sealing_twice_gives_different_blobs() {
        let keys = keys(&key("1"));
        let verifier = srp::make_verifier(POOL, "alice", PASSWORD);
        assert_ne!(keys.seal(ALICE, &verifier).blob, keys.seal(ALICE, &verifier).blob);
        assert_eq!(keys.open(ALICE, &keys.seal(ALICE, &verifier)).unwrap(), verifier);
    }

    #[test]
    fn key_lists_parse_strictly_and_never_echo_a_key() {
        let valid = key("a");
        let secret = valid.split_once(':').unwrap().1.to_owned();
        assert!(format!("{:?}", keys(&valid)).contains("\"a\"") && !format!("{:?}", keys(&valid)).contains(&secret));
        let short = BASE64_STANDARD.encode([7; 16]);
        for (bad, why) in [
            ("", "no key"),
            (" , ", "no key"),
            (secret.as_str(), "entry 1 is not"),
            (&format!("bad id!:{secret}"), "a key id is"),
            (&format!("a:{short}"), "not the base64 of 32 bytes"),
            (&format!("a:{secret},a:{secret}"), "listed twice"),
        ] {
            let error = bad.parse::<VerifierKeys>().err().unwrap_or_else(|| panic!("{bad:?} parsed"));
            assert!(error.contains(why) && !error.contains(&secret), "{bad:?}: {error}");
        }
    }
}
