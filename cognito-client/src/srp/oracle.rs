//! For tests: num-bigint as the oracle SRP's own arithmetic is checked against, and numbers to check it on.

use std::sync::LazyLock;

use num_bigint::BigUint;

use super::{N_HEX, U3072};

/// N, as num-bigint's.
pub static N: LazyLock<BigUint> = LazyLock::new(|| BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap());

/// 2^bits.
pub fn power_of_two(bits: usize) -> BigUint {
    BigUint::from(1u32) << bits
}

pub fn ours(x: &BigUint) -> U3072 {
    U3072::from_be_bytes(&x.to_bytes_be()).expect("below 2^3072")
}

pub fn theirs(x: &U3072) -> BigUint {
    BigUint::from_bytes_be(&x.to_be_bytes())
}

/// Numbers of every size up to 399 bytes (past 3072 bits) from a fixed generator (xorshift), so failures
/// repeat.
pub fn numbers() -> impl Iterator<Item = BigUint> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..200).map(move |i| {
        let bytes: Vec<u8> = (0..(i * 7 % 400))
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        BigUint::from_bytes_le(&bytes)
    })
}

/// [`numbers`] below 2^3072, which a [`U3072`] holds.
pub fn u3072s() -> impl Iterator<Item = BigUint> {
    numbers().filter(|x| x.bits() <= 3072)
}

/// Where reductions and carries go wrong: 0, 1, N - 1, N, N + 5 and 2^3072 - 1.
pub fn edges() -> Vec<BigUint> {
    let one = BigUint::from(1u32);
    vec![BigUint::ZERO, one.clone(), &*N - 1u32, N.clone(), &*N + 5u32, power_of_two(3072) - one]
}
