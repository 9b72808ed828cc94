//! SRP's numbers: [`U3072`], a fixed-size unsigned number below 2^3072 that the group arithmetic in
//! [`super::group`] works on, and the wire forms of numbers of any length (strict hex, big-endian bytes).
//!
//! Every number SRP computes with is either an element of the 3072-bit group or much smaller (256-bit
//! hashes and secrets, the ~1,300-bit exponent a + u*x), so fixed limb arrays are enough and a general
//! big-integer crate need not ship to browsers. Only the other side's public value (A or B) may arrive
//! longer than 3072 bits: it stays bytes, hashed as it came and reduced by [`super::group::reduce`].

/// Limbs as wide as the target's native multiplication: wasm32 multiplies 32 by 32 bits natively but
/// would emulate a 64 by 64-bit product.
#[cfg(target_pointer_width = "64")]
pub(super) type Limb = u64;
#[cfg(target_pointer_width = "64")]
pub(super) type Wide = u128;
#[cfg(not(target_pointer_width = "64"))]
pub(super) type Limb = u32;
#[cfg(not(target_pointer_width = "64"))]
pub(super) type Wide = u64;

/// The width of [`U3072`], that of the group's modulus N.
pub(super) const BITS: usize = 3072;
pub(super) const LIMB_BITS: usize = Limb::BITS as usize;
pub(super) const LIMBS: usize = BITS / LIMB_BITS;
const LIMB_BYTES: usize = LIMB_BITS / 8;

/// An unsigned number below 2^3072, as little-endian limbs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct U3072(pub(super) [Limb; LIMBS]);

impl U3072 {
    pub const ZERO: Self = Self([0; LIMBS]);

    pub const fn from_u32(value: u32) -> Self {
        let mut limbs = [0; LIMBS];
        limbs[0] = value as Limb;
        Self(limbs)
    }

    /// The number that big-endian `bytes` spell (leading zeros allowed), or `None` from 2^3072 on.
    pub fn from_be_bytes(bytes: &[u8]) -> Option<Self> {
        let significant = minimal(bytes);
        if significant.len() > BITS / 8 {
            return None;
        }
        let mut limbs = [0; LIMBS];
        for (index, &byte) in significant.iter().rev().enumerate() {
            limbs[index / LIMB_BYTES] |= Limb::from(byte) << (8 * (index % LIMB_BYTES));
        }
        Some(Self(limbs))
    }

    /// Big-endian bytes without leading zeros; zero is `[0]`.
    pub fn to_be_bytes(&self) -> Vec<u8> {
        let bytes: Vec<u8> = self.0.iter().rev().flat_map(|limb| limb.to_be_bytes()).collect();
        minimal(&bytes).to_vec()
    }

    /// Strict hex (see [`parse_hex`]), or `None` from 2^3072 on.
    pub fn from_hex(hex: &str) -> Option<Self> {
        Self::from_be_bytes(&parse_hex(hex)?)
    }

    /// Lowercase hex without leading zeros, as SRP's clients write numbers: zero is `0`.
    pub fn to_hex(&self) -> String {
        to_hex(&self.to_be_bytes())
    }

    /// Looks at every limb, whatever their values.
    pub fn is_zero(&self) -> bool {
        self.0.iter().fold(0, |any, &limb| any | limb) == 0
    }

    /// The number of significant bits (0 for zero). Its running time depends on the answer, which is as
    /// much as exponentiation reveals of an exponent anyway.
    pub fn bits(&self) -> usize {
        let top = self.0.iter().rposition(|&limb| limb != 0);
        top.map_or(0, |top| (top + 1) * LIMB_BITS - self.0[top].leading_zeros() as usize)
    }

    /// The `width` bits from bit `start` (0 is the least significant) up, for a window that does not
    /// cross a limb: `start` a multiple of `width`, and `width` a power of two up to 8.
    pub(super) fn bits_at(&self, start: usize, width: usize) -> usize {
        let limb = self.0[start / LIMB_BITS] >> (start % LIMB_BITS);
        usize::from(limb as u8) & ((1 << width) - 1)
    }

    /// self + u * x, or `None` if that reaches 2^3072: SRP's exponent a + u*x. Schoolbook multiplication
    /// onto a double-width copy of self, with no branch on the values (a and x are secrets).
    pub fn plus_product(&self, u: &Self, x: &Self) -> Option<Self> {
        let mut wide = [0 as Limb; 2 * LIMBS];
        wide[..LIMBS].copy_from_slice(&self.0);
        for (i, &u_i) in u.0.iter().enumerate() {
            let mut carry = 0;
            for (j, &x_j) in x.0.iter().enumerate() {
                // At most (2^w - 1) + (2^w - 1)^2 + (2^w - 1) = 2^2w - 1: no overflow.
                let sum = Wide::from(wide[i + j]) + Wide::from(u_i) * Wide::from(x_j) + carry;
                wide[i + j] = sum as Limb;
                carry = sum >> LIMB_BITS;
            }
            // Row i's products reach limb i + LIMBS - 1 at most, so this limb holds nothing yet.
            wide[i + LIMBS] = carry as Limb;
        }
        let (low, high) = wide.split_at(LIMBS);
        high.iter().all(|&limb| limb == 0).then(|| Self(low.try_into().expect("LIMBS limbs")))
    }
}

impl std::fmt::Debug for U3072 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "U3072(0x{})", self.to_hex())
    }
}

/// `bytes` without its leading zero bytes, or `[0]` if it has no other: BigInteger's minimal encoding of
/// a non-negative number, less its sign byte.
pub(super) fn minimal(bytes: &[u8]) -> &[u8] {
    match bytes.iter().position(|&byte| byte != 0) {
        Some(first) => &bytes[first..],
        None => &[0],
    }
}

/// Strict hex (digits and letters a-f in either case, nothing else, at least one) as minimal big-endian
/// bytes (see [`U3072::to_be_bytes`]), of any length. Looser parsers also take `+`, `_` or `0x`.
pub fn parse_hex(hex: &str) -> Option<Vec<u8>> {
    let digits = hex.chars().map(|c| c.to_digit(16).map(|digit| digit as u8)).collect::<Option<Vec<u8>>>()?;
    if digits.is_empty() {
        return None;
    }
    // With an odd count of digits the first byte has only one.
    let (first, pairs) = digits.split_at(digits.len() % 2);
    let bytes: Vec<u8> = first.iter().copied().chain(pairs.chunks(2).map(|pair| pair[0] << 4 | pair[1])).collect();
    Some(minimal(&bytes).to_vec())
}

/// Big-endian `bytes` as lowercase hex without leading zeros (`0` for zero): the inverse of [`parse_hex`].
pub fn to_hex(bytes: &[u8]) -> String {
    let digits: String = bytes
        .iter()
        .flat_map(|byte| [byte >> 4, byte & 0xf])
        .map(|digit| char::from_digit(digit.into(), 16).expect("a nibble is below 16"))
        .collect();
    match digits.trim_start_matches('0') {
        "" => "0".to_owned(),
        significant => significant.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use num_bigint::BigUint;

    use super::*;
    use crate::srp::oracle::{edges, numbers, ours, power_of_two, theirs, u3072s};

    #[test]
    fn bytes_and_hex_agree_with_num_bigint() {
        for x in numbers().chain(edges()) {
            let hex = x.to_str_radix(16);
            assert_eq!(parse_hex(&hex), Some(x.to_bytes_be()), "{hex}");
            assert_eq!(to_hex(&x.to_bytes_be()), hex);
            let fits = x.bits() <= 3072;
            assert_eq!(U3072::from_be_bytes(&x.to_bytes_be()).is_some(), fits, "{hex}");
            assert_eq!(U3072::from_hex(&hex).is_some(), fits, "{hex}");
            if fits {
                let ours = ours(&x);
                assert_eq!((ours.to_be_bytes(), ours.to_hex()), (x.to_bytes_be(), hex));
                assert_eq!((ours.bits(), ours.is_zero()), (x.bits() as usize, x == BigUint::ZERO));
            }
        }
    }

    #[test]
    fn leading_zeros_are_read_and_never_written() {
        assert_eq!(parse_hex("000a0B"), Some(vec![0x0a, 0x0b]));
        assert_eq!(parse_hex("0"), Some(vec![0]));
        assert_eq!(parse_hex("0000"), Some(vec![0]));
        assert_eq!(to_hex(&[0, 0, 0x0a]), "a");
        assert_eq!(to_hex(&[]), "0");
        assert_eq!(U3072::ZERO.to_be_bytes(), [0]);
        assert_eq!(U3072::ZERO.to_hex(), "0");
        // 400 bytes, but the value fits.
        let mut padded = vec![0; 399];
        padded.push(5);
        assert_eq!(U3072::from_be_bytes(&padded), Some(U3072::from_u32(5)));
        assert_eq!(U3072::from_hex(&format!("{}5", "0".repeat(1000))), Some(U3072::from_u32(5)));
    }

    #[test]
    fn hex_is_strict() {
        for bad in ["", "+1", "-1", "1_0", "0x1", " 1", "1 ", "g", "é", "٣"] {
            assert_eq!(parse_hex(bad), None, "{bad:?}");
            assert!(U3072::from_hex(bad).is_none(), "{bad:?}");
        }
        assert_eq!(parse_hex("aBcDeF"), Some(vec![0xab, 0xcd, 0xef]));
    }

    #[test]
    fn numbers_from_2_to_the_3072_on_are_refused() {
        let largest = power_of_two(3072) - 1u32;
        assert_eq!(theirs(&ours(&largest)), largest);
        for too_large in [power_of_two(3072), power_of_two(3072) + 5u32, power_of_two(4000)] {
            assert!(U3072::from_be_bytes(&too_large.to_bytes_be()).is_none());
            assert!(U3072::from_hex(&too_large.to_str_radix(16)).is_none());
        }
    }

    #[test]
    fn plus_product_agrees_with_num_bigint() {
        let small: Vec<BigUint> = u3072s().map(|x| x % power_of_two(1024)).step_by(5).collect();
        for (a, (u, x)) in u3072s().step_by(3).zip(small.iter().zip(small.iter().rev())) {
            let expected = &a + u * x;
            let outcome = ours(&a).plus_product(&ours(u), &ours(x));
            if expected.bits() <= 3072 {
                assert_eq!(outcome.map(|sum| theirs(&sum)), Some(expected), "{a:x} + {u:x} * {x:x}");
            } else {
                assert!(outcome.is_none(), "{a:x} + {u:x} * {x:x}");
            }
        }
    }

    #[test]
    fn plus_product_refuses_results_from_2_to_the_3072_on() {
        let (one, max) = (BigUint::from(1u32), power_of_two(3072) - 1u32);
        let sum = |a: &BigUint, u: &BigUint, x: &BigUint| ours(a).plus_product(&ours(u), &ours(x)).map(|s| theirs(&s));
        assert_eq!(sum(&max, &BigUint::ZERO, &max), Some(max.clone()));
        assert_eq!(sum(&BigUint::ZERO, &one, &max), Some(max.clone()));
        assert_eq!(sum(&(&max - 1u32), &one, &one), Some(max.clone()));
        assert_eq!(sum(&max, &one, &one), None);
        assert_eq!(sum(&BigUint::ZERO, &power_of_two(1536), &power_of_two(1536)), None);
        assert_eq!(sum(&one, &power_of_two(1535), &power_of_two(1536)), Some(power_of_two(3071) + 1u32));
        assert_eq!(sum(&BigUint::ZERO, &max, &max), None);
    }
}
