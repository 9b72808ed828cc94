//! `USER_SRP_AUTH`, client side: SRP-6a with SHA-256 over the RFC 3526 3072-bit group, in the byte layout
//! amazon-cognito-identity-js and pycognito use, so the password never leaves the client.
//!
//! 1. [`SrpClient::new`] draws the secret `a`; send [`SrpClient::srp_a`] as `SRP_A` in `InitiateAuth`.
//! 2. The server answers with the `PASSWORD_VERIFIER` challenge; [`SrpClient::answer`] turns its
//!    `ChallengeParameters` and the password into a [`PasswordClaim`] for `RespondToAuthChallenge`.
//!
//! The caller passes the time (Unix seconds) so that the crate needs no clock and its output is reproducible.

use std::{collections::HashMap, sync::LazyLock};

use base64::{Engine, engine::general_purpose::STANDARD as BASE64};
use hkdf::Hkdf;
use sha2::{Digest, Sha256};

use crate::hmac_sha256;

pub mod group;
#[cfg(not(target_arch = "wasm32"))]
mod native;
mod number;
#[cfg(test)]
mod oracle;

pub use number::{U3072, parse_hex, to_hex};

/// N: RFC 3526 group 15 (3072 bits), as hex. The group, k, [`padded`] and [`parse_hex`] are public so that the
/// server side (the api) uses the very same definitions.
pub const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);
pub static N: LazyLock<U3072> = LazyLock::new(|| U3072::from_hex(N_HEX).expect("N is 3072-bit hex"));
/// The generator, g = 2.
pub const G: U3072 = U3072::from_u32(2);
/// The SRP-6a multiplier, k = H(padHex(N) || padHex(g)).
pub static K: LazyLock<U3072> = LazyLock::new(|| hash_to_int(&[&padded(&N.to_be_bytes()), &padded(&G.to_be_bytes())]));

/// 256 bits, RFC 5054's minimum and what the server uses for b. amazon-cognito-identity-js draws 1024 bits;
/// the server cannot tell, and each sign-in's exponentiations cost about half as much (it runs in browsers).
const SECRET_EXPONENT_LEN: usize = 32;
const DERIVED_KEY_INFO: &[u8] = b"Caldera Derived Key";
pub const DERIVED_KEY_LEN: usize = 16;
const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

#[derive(Debug, thiserror::Error)]
pub enum SrpError {
    #[error("the system's random number generator failed: {0}")]
    Random(getrandom::Error),
    #[error("the PASSWORD_VERIFIER challenge has no valid {0}")]
    InvalidParameter(&'static str),
    /// RFC 5054: with B ≡ 0 (mod N) or u = 0 the session key no longer depends on the password; a server that
    /// sends such a B is not to be answered.
    #[error("the server's SRP_B is unsafe (B mod N = 0 or u = 0)")]
    UnsafeB,
}

/// One SRP sign-in attempt: the secret `a` and the public A = g^a. Use a new one for each attempt.
pub struct SrpClient {
    pool_name: String,
    a: U3072,
    public_a: U3072,
}

/// The `ChallengeResponses` of `RespondToAuthChallenge(PASSWORD_VERIFIER)`, less `SECRET_HASH` (see
/// [`crate::AppClient::respond_password_verifier`], which adds it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordClaim {
    /// `USERNAME`: the challenge's `USER_ID_FOR_SRP`, the name the server knows the user by.
    pub username: String,
    /// `PASSWORD_CLAIM_SECRET_BLOCK`: the challenge's `SECRET_BLOCK`, sent back as it came.
    pub secret_block: String,
    /// `TIMESTAMP`, e.g. `Tue Mar 3 09:05:07 UTC 2026`.
    pub timestamp: String,
    /// `PASSWORD_CLAIM_SIGNATURE`.
    pub signature: String,
}

impl SrpClient {
    /// Starts a sign-in to the pool `pool_id` (`us-east-1_AbC123`) with a fresh random `a`.
    pub fn new(pool_id: &str) -> Result<Self, SrpError> {
        let mut secret = [0; SECRET_EXPONENT_LEN];
        getrandom::fill(&mut secret).map_err(SrpError::Random)?;
        Ok(Self::with_secret(pool_id, U3072::from_be_bytes(&secret).expect("256 bits fit")))
    }

    /// A fixed `a`, for reproducing a known exchange.
    fn with_secret(pool_id: &str, a: U3072) -> Self {
        let public_a = group::pow_g(&a);
        Self { pool_name: pool_name(pool_id).to_owned(), a, public_a }
    }

    /// `SRP_A` for `InitiateAuth`'s `AuthParameters`: A as lowercase hex.
    pub fn srp_a(&self) -> String {
        self.public_a.to_hex()
    }

    /// Answers the `PASSWORD_VERIFIER` challenge (its `ChallengeParameters`: `SRP_B`, `SALT`, `SECRET_BLOCK`,
    /// `USER_ID_FOR_SRP`) with `password`, signed at `now_unix_seconds`.
    pub fn answer(
        &self,
        parameters: &HashMap<String, String>,
        password: &str,
        now_unix_seconds: u64,
    ) -> Result<PasswordClaim, SrpError> {
        let parameter = |name| parameters.get(name).ok_or(SrpError::InvalidParameter(name));
        let user_id = parameter("USER_ID_FOR_SRP")?;
        let public_b = parse_hex(parameter("SRP_B")?).ok_or(SrpError::InvalidParameter("SRP_B"))?;
        let salt = parse_hex(parameter("SALT")?).ok_or(SrpError::InvalidParameter("SALT"))?;
        let secret_block = parameter("SECRET_BLOCK")?;
        let block_bytes = BASE64.decode(secret_block).map_err(|_| SrpError::InvalidParameter("SECRET_BLOCK"))?;
        let key = self.session_key(&public_b, &salt, user_id, password)?;
        let timestamp = timestamp(now_unix_seconds);
        let message = claim_message(&self.pool_name, user_id, &block_bytes, &timestamp);
        Ok(PasswordClaim {
            username: user_id.clone(),
            secret_block: secret_block.clone(),
            signature: BASE64.encode(hmac_sha256(&key, &message)),
            timestamp,
        })
    }

    /// K = HKDF(S, u) with the client's S = (B - k*g^x)^(a + u*x) mod N.
    fn session_key(
        &self,
        public_b: &[u8],
        salt: &[u8],
        user_id: &str,
        password: &str,
    ) -> Result<[u8; DERIVED_KEY_LEN], SrpError> {
        let b_mod_n = group::reduce(public_b);
        if b_mod_n.is_zero() {
            return Err(SrpError::UnsafeB);
        }
        // u hashes B as the server sent it, unreduced, as the other clients do.
        let u = compute_u(&self.public_a.to_be_bytes(), public_b);
        if u.is_zero() {
            return Err(SrpError::UnsafeB);
        }
        let x = compute_x(&self.pool_name, user_id, password, salt);
        let base = group::sub(&b_mod_n, &group::mul(&K, &group::pow_g(&x)));
        // a has 256 bits (1024 in pycognito's vector), u and x 256: the sum is far below 2^3072.
        let exponent = self.a.plus_product(&u, &x).expect("a + u*x has at most about 1,000 bits");
        let s = group::pow(&base, &exponent);
        Ok(derive_key(&s, &u))
    }
}

/// `TIMESTAMP` as Cognito's clients write it: `Tue Mar 3 09:05:07 UTC 2026` (English names, day not
/// zero-padded, always UTC) for the given Unix time.
pub fn timestamp(unix_seconds: u64) -> String {
    let (days, seconds) = (unix_seconds / 86_400, unix_seconds % 86_400);
    let (year, month, day) = civil_date(days);
    // The Unix epoch fell on a Thursday.
    let weekday = WEEKDAYS[usize::try_from((days + 4) % 7).expect("below 7")];
    let (hour, minute, second) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    format!("{weekday} {} {day} {hour:02}:{minute:02}:{second:02} UTC {year}", MONTHS[month - 1])
}

/// (year, month 1-12, day 1-31) of the day `days` after 1970-01-01, by Howard Hinnant's `civil_from_days`:
/// it counts in 400-year eras of years starting on March 1st, so that the leap day comes last.
fn civil_date(days: u64) -> (u64, usize, u64) {
    const DAYS_PER_ERA: u64 = 146_097;
    // From 0000-03-01 to 1970-01-01.
    let since_era_zero = days + 719_468;
    let (era, day_of_era) = (since_era_zero / DAYS_PER_ERA, since_era_zero % DAYS_PER_ERA);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let march_based_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * march_based_month + 2) / 5 + 1;
    let month = if march_based_month < 10 { march_based_month + 3 } else { march_based_month - 9 };
    let year = era * 400 + year_of_era + u64::from(month <= 2);
    (year, usize::try_from(month).expect("1 to 12"), day)
}

/// poolName, which x and the claim signature hash: the clients take the second `_`-separated part of the pool id
/// (`us-east-1_AbC123` -> `AbC123`); a bare name is used as is.
pub fn pool_name(pool_id: &str) -> &str {
    pool_id.split('_').nth(1).unwrap_or(pool_id)
}

// SRP's formulas as Cognito uses them, shared by this client and the api's server side.

/// x = H(padHex(salt) || H(poolName || userIdForSrp || ":" || password)).
pub fn compute_x(pool_name: &str, user_id: &str, password: &str, salt: &[u8]) -> U3072 {
    let identity =
        Sha256::new().chain_update(pool_name).chain_update(user_id).chain_update(":").chain_update(password).finalize();
    hash_to_int(&[&padded(salt), &identity])
}

/// u = H(padHex(A) || padHex(B)), for A's and B's big-endian bytes as they were sent.
pub fn compute_u(a: &[u8], b: &[u8]) -> U3072 {
    hash_to_int(&[&padded(a), &padded(b)])
}

/// K = the first 16 bytes of HKDF-SHA256(ikm = padHex(S), salt = padHex(u), info = "Caldera Derived Key").
pub fn derive_key(s: &U3072, u: &U3072) -> [u8; DERIVED_KEY_LEN] {
    let mut key = [0; DERIVED_KEY_LEN];
    Hkdf::<Sha256>::new(Some(&padded(&u.to_be_bytes())), &padded(&s.to_be_bytes()))
        .expand(DERIVED_KEY_INFO, &mut key)
        .expect("16 bytes is within HKDF-SHA256's output limit");
    key
}

/// What the client signs with K: poolName || USER_ID_FOR_SRP || SECRET_BLOCK bytes || TIMESTAMP.
pub fn claim_message(pool_name: &str, user_id_for_srp: &str, secret_block: &[u8], timestamp: &str) -> Vec<u8> {
    [pool_name.as_bytes(), user_id_for_srp.as_bytes(), secret_block, timestamp.as_bytes()].concat()
}

fn hash_to_int(parts: &[&[u8]]) -> U3072 {
    let digest = parts.iter().fold(Sha256::new(), |hasher, part| hasher.chain_update(part)).finalize();
    U3072::from_be_bytes(&digest).expect("256 bits fit")
}

/// The bytes of padHex(n), which SRP hashes, for n's big-endian bytes: minimal (leading zeros dropped), with a
/// leading zero byte when the top bit is set (so the value reads as positive in two's complement, which is how the
/// JS and Java clients encode it).
pub fn padded(n: &[u8]) -> Vec<u8> {
    let bytes = number::minimal(n);
    let sign = (bytes[0] & 0x80 != 0).then_some(0);
    sign.into_iter().chain(bytes.iter().copied()).collect()
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    /// An exchange whose client side pycognito computed: api/tests/data/srp/make_vector.py.
    #[derive(Deserialize)]
    struct PycognitoVector {
        pool_id: String,
        user_id_for_srp: String,
        password: String,
        wrong_password: String,
        salt_param: String,
        small_a: String,
        srp_a: String,
        srp_b: String,
        session_key: String,
        secret_block: String,
        timestamp: String,
        signature: String,
    }

    /// 2026-03-03 09:05:07 UTC, the vector's clock.
    const VECTOR_NOW: u64 = 1_772_528_707;

    impl PycognitoVector {
        fn load() -> Self {
            serde_json::from_str(include_str!("../../api/tests/data/srp/pycognito-vector.json")).unwrap()
        }

        fn client(&self) -> SrpClient {
            SrpClient::with_secret(&self.pool_id, U3072::from_hex(&self.small_a).unwrap())
        }

        fn parameters(&self) -> HashMap<String, String> {
            [
                ("SRP_B", &self.srp_b),
                ("SALT", &self.salt_param),
                ("SECRET_BLOCK", &self.secret_block),
                ("USER_ID_FOR_SRP", &self.user_id_for_srp),
                ("USERNAME", &self.user_id_for_srp),
            ]
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value.clone()))
            .collect()
        }
    }

    #[test]
    fn reproduces_pycognitos_password_claim() {
        let vector = PycognitoVector::load();
        let client = vector.client();
        assert_eq!(client.srp_a(), vector.srp_a);
        let claim = client.answer(&vector.parameters(), &vector.password, VECTOR_NOW).unwrap();
        let expected = PasswordClaim {
            username: vector.user_id_for_srp.clone(),
            secret_block: vector.secret_block.clone(),
            timestamp: vector.timestamp.clone(),
            signature: vector.signature.clone(),
        };
        assert_eq!(claim, expected);
    }

    #[test]
    fn session_key_matches_pycognitos() {
        let vector = PycognitoVector::load();
        let (b, salt) = (parse_hex(&vector.srp_b).unwrap(), parse_hex(&vector.salt_param).unwrap());
        let key = vector.client().session_key(&b, &salt, &vector.user_id_for_srp, &vector.password).unwrap();
        assert_eq!(base16(&key), vector.session_key);
    }

    #[test]
    fn another_password_signs_differently() {
        let vector = PycognitoVector::load();
        let claim = vector.client().answer(&vector.parameters(), &vector.wrong_password, VECTOR_NOW).unwrap();
        assert_ne!(claim.signature, vector.signature);
    }

    #[test]
    fn b_that_is_a_multiple_of_n_is_refused() {
        let vector = PycognitoVector::load();
        for b in ["0", "00", N_HEX, &(&*oracle::N * 3u32).to_str_radix(16)] {
            let mut parameters = vector.parameters();
            parameters.insert("SRP_B".into(), b.into());
            let outcome = vector.client().answer(&parameters, &vector.password, VECTOR_NOW);
            assert!(matches!(outcome, Err(SrpError::UnsafeB)), "B = {b:.20}");
        }
    }

    #[test]
    fn missing_or_malformed_parameters_are_named() {
        let vector = PycognitoVector::load();
        let answer = |name: &str, value: Option<&str>| {
            let mut parameters = vector.parameters();
            match value {
                Some(value) => parameters.insert(name.into(), value.into()),
                None => parameters.remove(name),
            };
            vector.client().answer(&parameters, &vector.password, VECTOR_NOW).unwrap_err().to_string()
        };
        assert_eq!(answer("SRP_B", Some("+12")), "the PASSWORD_VERIFIER challenge has no valid SRP_B");
        assert_eq!(answer("SALT", Some("")), "the PASSWORD_VERIFIER challenge has no valid SALT");
        assert_eq!(
            answer("SECRET_BLOCK", Some("not base64!")),
            "the PASSWORD_VERIFIER challenge has no valid SECRET_BLOCK"
        );
        assert_eq!(answer("USER_ID_FOR_SRP", None), "the PASSWORD_VERIFIER challenge has no valid USER_ID_FOR_SRP");
    }

    #[test]
    fn fresh_clients_draw_different_secrets() {
        let (first, second) = (SrpClient::new("us-east-1_AbC").unwrap(), SrpClient::new("us-east-1_AbC").unwrap());
        assert_ne!(first.srp_a(), second.srp_a());
        assert!(first.a.bits() <= 8 * SECRET_EXPONENT_LEN);
    }

    #[test]
    fn k_is_the_multiplier_every_client_derives() {
        assert_eq!(K.to_hex(), "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6");
    }

    #[test]
    fn pad_hex_adds_a_zero_byte_when_the_top_bit_is_set_and_completes_odd_lengths() {
        // Four big-endian bytes each: padded drops the leading zeros.
        let pad_hex = |n: u32| base16(&padded(&n.to_be_bytes()));
        assert_eq!(pad_hex(0x7f), "7f");
        assert_eq!(pad_hex(0x80), "0080");
        assert_eq!(pad_hex(0xabc), "0abc");
        assert_eq!(pad_hex(0x8abc), "008abc");
        assert_eq!(pad_hex(0), "00");
        assert_eq!(base16(&padded(&[])), "00");
        assert_eq!(base16(&padded(&[0, 0, 0x80])), "0080");
        let n = base16(&padded(&N.to_be_bytes()));
        assert_eq!((n.len(), &n[..6]), (770, "00ffff"));
    }

    #[test]
    fn pool_name_is_the_part_of_the_pool_id_after_the_underscore() {
        assert_eq!(pool_name("us-east-1_AbCdEf123"), "AbCdEf123");
        assert_eq!(pool_name("AbCdEf123"), "AbCdEf123");
        // As pycognito's `pool_id.split("_")[1]` and the JS client's `split('_')[1]`.
        assert_eq!(pool_name("us-east-1_Ab_Cd"), "Ab");
    }

    #[test]
    fn timestamps_are_written_like_the_js_clients_get_now_string() {
        assert_eq!(timestamp(0), "Thu Jan 1 00:00:00 UTC 1970");
        assert_eq!(timestamp(VECTOR_NOW), "Tue Mar 3 09:05:07 UTC 2026");
        assert_eq!(timestamp(1_795_248_753), "Sat Nov 21 08:12:33 UTC 2026");
        // Leap days, including the 400-year rule, and the last second of a year.
        assert_eq!(timestamp(951_782_400), "Tue Feb 29 00:00:00 UTC 2000");
        assert_eq!(timestamp(1_709_251_199), "Thu Feb 29 23:59:59 UTC 2024");
        assert_eq!(timestamp(1_735_689_599), "Tue Dec 31 23:59:59 UTC 2024");
        assert_eq!(timestamp(4_107_542_400), "Mon Mar 1 00:00:00 UTC 2100");
    }

    fn base16(bytes: &[u8]) -> String {
        bytes.iter().map(|byte| format!("{byte:02x}")).collect()
    }
}
