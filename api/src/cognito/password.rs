//! Passwords: the pool's policy, generated temporary passwords, and the argon2id hashes of users who have
//! not signed in since verifiers were sealed.

use argon2::{Argon2, PasswordHash, PasswordVerifier};

use mfe_contract::PasswordRule;

use super::{
    error::{CognitoError, CognitoResult, Exception},
    pools::{self, PasswordPolicy},
};

/// What generated temporary passwords are made of: every class a policy can require, without the
/// characters people confuse (0/O, 1/l/I) or that need quoting when pasted.
const TEMPORARY_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#$%&*+-=?@^_";
/// Generated temporary passwords are at least this long, whatever the policy's minimum.
const TEMPORARY_MIN_LENGTH: u32 = 12;

/// Checks `password` against `policy`, naming the first rule it breaks, as Cognito does.
pub fn check_policy(password: &str, policy: &PasswordPolicy) -> CognitoResult<()> {
    let broken = policy.rules().first_broken(password).map(|rule| match rule {
        PasswordRule::MinimumLength(_) => "Password not long enough",
        PasswordRule::Lowercase => "Password must have lowercase characters",
        PasswordRule::Uppercase => "Password must have uppercase characters",
        PasswordRule::Number => "Password must have numeric characters",
        PasswordRule::Symbol => "Password must have symbol characters",
    });
    match broken {
        Some(broken) => Err(CognitoError::new(
            Exception::InvalidPassword,
            format!("Password did not conform with policy: {broken}"),
        )),
        None if password.len() > 256 || password.trim() != password => Err(CognitoError::invalid_parameter(
            "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must satisfy regular \
             expression pattern: ^[\\S]+.*[\\S]+$",
        )),
        None => Ok(()),
    }
}

/// A random temporary password that meets `policy`: drawn again until it has every class of
/// character the policy requires (most draws do).
pub fn generate_temporary(policy: &PasswordPolicy) -> String {
    let length = policy.minimum_length.max(TEMPORARY_MIN_LENGTH) as usize;
    loop {
        let candidate = pools::random_string(length, TEMPORARY_ALPHABET);
        if check_policy(&candidate, policy).is_ok() {
            return candidate;
        }
    }
}

/// Checks `password` against an argon2id hash, which users created before verifiers were sealed still have
/// until their next sign-in (see [`super::verifiers`]). Off the async runtime: it costs tens of milliseconds
/// of CPU by design. Constant-time by construction (argon2 compares its outputs in constant time).
pub async fn verify_legacy_hash(password: String, stored: String) -> CognitoResult<bool> {
    let checked = tokio::task::spawn_blocking(move || {
        let hash = PasswordHash::new(&stored).map_err(|error| internal(&error))?;
        Ok(Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
    });
    checked.await.map_err(|error| internal(&error))?
}

fn internal(error: &dyn std::fmt::Display) -> CognitoError {
    tracing::error!(%error, "checking a legacy password hash failed");
    CognitoError::new(Exception::Internal, "An internal error occurred.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_names_the_first_broken_rule() {
        let policy = PasswordPolicy::default();
        let broken = |p: &str| check_policy(p, &policy).unwrap_err().message;
        assert!(broken("Ab1!").ends_with("Password not long enough"));
        assert!(broken("ABCDEFG1!").ends_with("Password must have lowercase characters"));
        assert!(broken("abcdefg1!").ends_with("Password must have uppercase characters"));
        assert!(broken("Abcdefgh!").ends_with("Password must have numeric characters"));
        assert!(broken("Abcdefgh1").ends_with("Password must have symbol characters"));
        assert!(check_policy("Abcdefg1!", &policy).is_ok());
        assert_eq!(check_policy(" Abcdefg1!", &policy).unwrap_err().exception, Exception::InvalidParameter);
    }

    #[test]
    fn relaxed_policies_relax() {
        let policy = PasswordPolicy {
            minimum_length: 6,
            require_uppercase: false,
            require_lowercase: false,
            require_numbers: false,
            require_symbols: false,
            temporary_password_validity_days: 7,
        };
        assert!(check_policy("aaaaaa", &policy).is_ok());
    }

    #[test]
    fn generated_temporary_passwords_meet_the_policy_and_differ() {
        let policy = PasswordPolicy { minimum_length: 20, ..PasswordPolicy::default() };
        let passwords: Vec<String> = (0..50).map(|_| generate_temporary(&policy)).collect();
        for password in &passwords {
            assert_eq!(password.chars().count(), 20);
            assert!(check_policy(password, &policy).is_ok(), "{password}");
        }
        assert_eq!(generate_temporary(&PasswordPolicy::default()).len(), TEMPORARY_MIN_LENGTH as usize);
        assert!(passwords.iter().skip(1).all(|password| password != &passwords[0]));
    }

    #[tokio::test]
    async fn legacy_hashes_verify_only_the_right_password() {
        use argon2::{PasswordHasher, password_hash::SaltString};
        let salt = SaltString::encode_b64(b"sixteen byte sal").unwrap();
        let stored = Argon2::default().hash_password(b"Correct horse 1!", &salt).unwrap().to_string();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify_legacy_hash("Correct horse 1!".into(), stored.clone()).await.unwrap());
        assert!(!verify_legacy_hash("Correct horse 2!".into(), stored).await.unwrap());
    }
}
