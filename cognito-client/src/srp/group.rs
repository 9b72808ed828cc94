//! Exponentiation in SRP's group, modulo the 3072-bit prime [`N`](super::N), for both sides of a sign-in.
//!
//! Every SRP step is a few 3072-bit modular exponentiations with secret exponents (the server's b, the
//! client's a and x), and they are most of what a sign-in costs. Here they run in Montgomery form on
//! fixed-size limb arrays, and without branches or table lookups that depend on the exponent, so their
//! timing tells nothing of it beyond its bit length (num-bigint's `modpow` makes no such promise):
//!
//! - [`pow`]: any base, a fixed 4-bit window: per 4 exponent bits, 4 squarings and one multiplication by
//!   a table entry read in full.
//! - [`pow_g`]: the generator g = 2 raised to an exponent of up to 256 bits (b, a and x all are) by a
//!   Lim-Lee comb: the exponent is cut into 4 rows of 64 bits and each step takes one bit of every row, so
//!   it needs 64 squarings and 64 multiplications where [`pow`] needs 256 and 64. Its table (16 entries)
//!   is built once, on first use.

use std::sync::LazyLock;

use num_bigint::BigUint;

use super::{G, N};

/// Limbs as wide as the target's native multiplication: wasm32 multiplies 32 by 32 bits natively but
/// would emulate a 64 by 64-bit product.
#[cfg(target_pointer_width = "64")]
type Limb = u64;
#[cfg(target_pointer_width = "64")]
type Wide = u128;
#[cfg(not(target_pointer_width = "64"))]
type Limb = u32;
#[cfg(not(target_pointer_width = "64"))]
type Wide = u64;

const LIMB_BITS: usize = Limb::BITS as usize;
const LIMBS: usize = 3072 / LIMB_BITS;
const LIMB_BYTES: usize = LIMB_BITS / 8;

/// A number below N, little-endian limbs, in Montgomery form (times R = 2^3072, modulo N).
#[derive(Clone, Copy)]
struct Residue([Limb; LIMBS]);

/// N, and what Montgomery multiplication modulo N needs.
struct Modulus {
    n: [Limb; LIMBS],
    /// -N^-1 modulo 2^LIMB_BITS.
    n0: Limb,
    /// R^2 mod N, to bring numbers into Montgomery form.
    r2: Residue,
    /// R mod N: 1 in Montgomery form.
    one: Residue,
}

static MODULUS: LazyLock<Modulus> = LazyLock::new(|| {
    let n = limbs(&N);
    // Newton's iteration doubles the correct low bits of the inverse each time: 1 -> 2 -> 4 -> ... -> 64.
    let mut inverse: Limb = 1;
    for _ in 0..6 {
        inverse = inverse.wrapping_mul((2 as Limb).wrapping_sub(n[0].wrapping_mul(inverse)));
    }
    let r = BigUint::from(1u32) << 3072;
    let r2 = Residue(limbs(&((&r * &r) % &*N)));
    let one = Residue(limbs(&(r % &*N)));
    Modulus { n, n0: inverse.wrapping_neg(), r2, one }
});

/// g^(2^(64 r)) for the comb's rows r = 0..3, combined: entry j is the product of those whose row's bit
/// is set in j.
static COMB: LazyLock<[Residue; 16]> = LazyLock::new(|| {
    let m = &*MODULUS;
    let mut rows = [m.to_montgomery(&G); 4];
    for row in 1..4 {
        rows[row] = rows[row - 1];
        for _ in 0..COMB_ROW_BITS {
            rows[row] = m.square(&rows[row]);
        }
    }
    let mut table = [m.one; 16];
    for j in 1_usize..16 {
        // Entry j is the entry without j's lowest bit, times that bit's row.
        let lowest = j.trailing_zeros() as usize;
        table[j] = m.multiply(&table[j & (j - 1)], &rows[lowest]);
    }
    table
});

const COMB_ROW_BITS: usize = 64;
/// The largest exponent [`pow_g`] takes through the comb: 4 rows.
const COMB_BITS: u64 = 4 * COMB_ROW_BITS as u64;

/// g^exponent mod N.
pub fn pow_g(exponent: &BigUint) -> BigUint {
    if exponent.bits() > COMB_BITS {
        return pow(&G, exponent);
    }
    let (m, table) = (&*MODULUS, &*COMB);
    let bytes = exponent.to_bytes_le();
    let bit = |index: usize| bytes.get(index / 8).map_or(0, |byte| usize::from(byte >> (index % 8) & 1));
    let mut result = m.one;
    for column in (0..COMB_ROW_BITS).rev() {
        result = m.square(&result);
        let index = (0..4).fold(0, |index, row| index | bit(row * COMB_ROW_BITS + column) << row);
        result = m.multiply(&result, &select(table, index));
    }
    m.out_of_montgomery(&result)
}

/// base^exponent mod N.
pub fn pow(base: &BigUint, exponent: &BigUint) -> BigUint {
    let m = &*MODULUS;
    let mut powers = [m.one; 16];
    powers[1] = m.to_montgomery(&(base % &*N));
    for j in 2..16 {
        powers[j] = m.multiply(&powers[j - 1], &powers[1]);
    }
    let bytes = exponent.to_bytes_le();
    let windows = bytes.len() * 2;
    let window = |index: usize| usize::from(bytes[index / 2] >> (4 * (index % 2)) & 0xf);
    let mut result = m.one;
    for index in (0..windows).rev() {
        for _ in 0..4 {
            result = m.square(&result);
        }
        result = m.multiply(&result, &select(&powers, window(index)));
    }
    m.out_of_montgomery(&result)
}

/// `table[index]`, reading every entry so that which one was wanted leaves no trace in the cache.
fn select(table: &[Residue; 16], index: usize) -> Residue {
    let mut chosen = [0; LIMBS];
    for (j, entry) in table.iter().enumerate() {
        let mask = equal_mask(j, index);
        for (out, limb) in chosen.iter_mut().zip(entry.0) {
            *out |= limb & mask;
        }
    }
    Residue(chosen)
}

/// All ones when `a == b`, else zero, without a branch.
fn equal_mask(a: usize, b: usize) -> Limb {
    let difference = (a ^ b) as Limb;
    let nonzero = (difference | difference.wrapping_neg()) >> (LIMB_BITS - 1);
    (nonzero ^ 1).wrapping_neg()
}

impl Modulus {
    fn to_montgomery(&self, x: &BigUint) -> Residue {
        self.multiply(&Residue(limbs(x)), &self.r2)
    }

    fn out_of_montgomery(&self, x: &Residue) -> BigUint {
        let mut one = [0; LIMBS];
        one[0] = 1;
        number(&self.multiply(x, &Residue(one)).0)
    }

    /// a * b / R mod N, by finely integrated operand scanning: each pass over the limbs adds a * b_i and
    /// the multiple of N that clears the lowest limb, and shifts down one limb.
    fn multiply(&self, a: &Residue, b: &Residue) -> Residue {
        let (a, n) = (&a.0, &self.n);
        let mut t = [0 as Limb; LIMBS + 1];
        for &b_i in &b.0 {
            let b_i = Wide::from(b_i);
            let sum = Wide::from(t[0]) + Wide::from(a[0]) * b_i;
            let q = Wide::from((sum as Limb).wrapping_mul(self.n0));
            let reduced = Wide::from(sum as Limb) + q * Wide::from(n[0]);
            let (mut carry, mut reduce_carry) = (sum >> LIMB_BITS, reduced >> LIMB_BITS);
            for j in 1..LIMBS {
                let sum = Wide::from(t[j]) + Wide::from(a[j]) * b_i + carry;
                carry = sum >> LIMB_BITS;
                let reduced = Wide::from(sum as Limb) + q * Wide::from(n[j]) + reduce_carry;
                reduce_carry = reduced >> LIMB_BITS;
                t[j - 1] = reduced as Limb;
            }
            let top = Wide::from(t[LIMBS]) + carry + reduce_carry;
            t[LIMBS - 1] = top as Limb;
            t[LIMBS] = (top >> LIMB_BITS) as Limb;
        }
        self.subtract_if_not_below(&t)
    }

    /// a * a / R mod N: the square first (each cross product once, then doubled), then Montgomery's
    /// reduction.
    fn square(&self, a: &Residue) -> Residue {
        let a = &a.0;
        let mut product = [0 as Limb; 2 * LIMBS];
        for i in 0..LIMBS {
            let a_i = Wide::from(a[i]);
            let mut carry = 0;
            for j in i + 1..LIMBS {
                let sum = Wide::from(product[i + j]) + a_i * Wide::from(a[j]) + carry;
                product[i + j] = sum as Limb;
                carry = sum >> LIMB_BITS;
            }
            product[i + LIMBS] = carry as Limb;
        }
        let mut shifted_out = 0;
        for limb in product.iter_mut() {
            let doubled = *limb << 1 | shifted_out;
            shifted_out = *limb >> (LIMB_BITS - 1);
            *limb = doubled;
        }
        let mut carry = 0;
        for i in 0..LIMBS {
            let square = Wide::from(a[i]) * Wide::from(a[i]);
            let low = Wide::from(product[2 * i]) + Wide::from(square as Limb) + carry;
            product[2 * i] = low as Limb;
            let high = Wide::from(product[2 * i + 1]) + (square >> LIMB_BITS) + (low >> LIMB_BITS);
            product[2 * i + 1] = high as Limb;
            carry = high >> LIMB_BITS;
        }
        self.reduce(&mut product)
    }

    /// x / R mod N for x < N * R.
    fn reduce(&self, x: &mut [Limb; 2 * LIMBS]) -> Residue {
        let n = &self.n;
        let mut overflow = 0;
        for i in 0..LIMBS {
            let q = Wide::from(x[i].wrapping_mul(self.n0));
            let mut carry = 0;
            for j in 0..LIMBS {
                let sum = Wide::from(x[i + j]) + q * Wide::from(n[j]) + carry;
                x[i + j] = sum as Limb;
                carry = sum >> LIMB_BITS;
            }
            let top = Wide::from(x[i + LIMBS]) + carry + Wide::from(overflow);
            x[i + LIMBS] = top as Limb;
            overflow = (top >> LIMB_BITS) as Limb;
        }
        let mut t = [0; LIMBS + 1];
        t[..LIMBS].copy_from_slice(&x[LIMBS..]);
        t[LIMBS] = overflow;
        self.subtract_if_not_below(&t)
    }

    /// t mod N for t < 2N, always doing the subtraction and keeping t or t - N by a mask.
    fn subtract_if_not_below(&self, t: &[Limb; LIMBS + 1]) -> Residue {
        let mut difference = [0; LIMBS];
        let mut borrow = 0;
        for j in 0..LIMBS {
            let (partial, first) = t[j].overflowing_sub(self.n[j]);
            let (limb, second) = partial.overflowing_sub(borrow);
            difference[j] = limb;
            borrow = Limb::from(first | second);
        }
        // t < N exactly when the subtraction borrowed past the top limb.
        let below = borrow & !t[LIMBS] & 1;
        let keep = below.wrapping_neg();
        let mut result = [0; LIMBS];
        for j in 0..LIMBS {
            result[j] = t[j] & keep | difference[j] & !keep;
        }
        Residue(result)
    }
}

/// x < 2^3072 as limbs.
fn limbs(x: &BigUint) -> [Limb; LIMBS] {
    let mut limbs = [0; LIMBS];
    for (limb, bytes) in limbs.iter_mut().zip(x.to_bytes_le().chunks(LIMB_BYTES)) {
        *limb = bytes.iter().rev().fold(0, |limb, &byte| limb << 8 | Limb::from(byte));
    }
    limbs
}

fn number(limbs: &[Limb; LIMBS]) -> BigUint {
    BigUint::from_bytes_le(&limbs.iter().flat_map(|limb| limb.to_le_bytes()).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Numbers of every size up to 3 * 1024 bits from a fixed generator (xorshift), so failures repeat.
    fn numbers() -> impl Iterator<Item = BigUint> {
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

    #[test]
    fn pow_agrees_with_num_bigint() {
        let exponents: Vec<BigUint> = numbers().step_by(9).map(|e| e % (BigUint::from(1u32) << 520)).collect();
        for (base, exponent) in numbers().zip(exponents.iter().cycle()) {
            assert_eq!(pow(&base, exponent), base.modpow(exponent, &N), "{base:x} ^ {exponent:x}");
        }
    }

    #[test]
    fn pow_g_agrees_with_num_bigint_within_the_comb_and_beyond() {
        for exponent in numbers().map(|e| e % (BigUint::from(1u32) << 300)) {
            assert_eq!(pow_g(&exponent), G.modpow(&exponent, &N), "g ^ {exponent:x}");
        }
    }

    #[test]
    fn edge_cases() {
        let n_minus_1 = &*N - 1u32;
        let max_comb = (BigUint::from(1u32) << COMB_BITS) - 1u32;
        for exponent in [BigUint::ZERO, BigUint::from(1u32), BigUint::from(2u32), max_comb.clone(), n_minus_1.clone()] {
            assert_eq!(pow_g(&exponent), G.modpow(&exponent, &N));
            for base in [BigUint::ZERO, BigUint::from(1u32), n_minus_1.clone(), N.clone(), &*N + 5u32] {
                assert_eq!(pow(&base, &exponent), base.modpow(&exponent, &N), "{base:x} ^ {exponent:x}");
            }
        }
    }

    #[test]
    fn equal_mask_selects_one_entry() {
        assert_eq!(equal_mask(3, 3), Limb::MAX);
        assert_eq!(equal_mask(3, 4), 0);
        assert_eq!(equal_mask(0, 15), 0);
    }
}
