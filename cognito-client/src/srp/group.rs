//! Arithmetic modulo the 3072-bit prime [`N`](super::N), for both sides of a sign-in: exponentiation, the
//! few products, sums and differences SRP needs, and reducing a number of any length.
//!
//! Every SRP step is a few 3072-bit modular exponentiations with secret exponents (the server's b, the
//! client's a and x), and they are most of what a sign-in costs. Here they run in Montgomery form on
//! fixed-size limb arrays, and without branches or table lookups that depend on the exponent, so their
//! timing tells nothing of it beyond its bit length (num-bigint's `modpow` makes no such promise):
//!
//! - [`pow`]: any base. In browsers [`window_pow`], a fixed 4-bit window: per 4 exponent bits, 4 squarings
//!   and one multiplication by a table entry read in full (native builds use AWS-LC's, `super::native`).
//! - [`pow_g`]: the generator g = 2 raised to an exponent of up to 256 bits (b, a and x all are) by a
//!   Lim-Lee comb: the exponent is cut into 4 rows of 64 bits and each step takes one bit of every row, so
//!   it needs 64 squarings and 64 multiplications where [`pow`] needs 256 and 64. Its table (16 entries)
//!   is built once, on first use.
//!
//! [`mul`], [`add`] and [`sub`] have no branch on their values either (v, g^x and k*g^x are secrets too),
//! and [`reduce`] only one on its input's length. Every function takes any [`U3072`], reduced or not, and
//! returns a number below N.

use std::sync::LazyLock;

use super::{
    G, N,
    number::{BITS, LIMB_BITS, LIMBS, Limb, U3072, Wide},
};

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

static MODULUS: LazyLock<Modulus> = LazyLock::new(|| Modulus::new(N.0));

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
const COMB_BITS: usize = 4 * COMB_ROW_BITS;
/// [`window_pow`]'s window.
#[cfg(any(target_arch = "wasm32", test))]
const WINDOW_BITS: usize = 4;

/// g^exponent mod N.
pub fn pow_g(exponent: &U3072) -> U3072 {
    if exponent.bits() > COMB_BITS {
        return pow(&G, exponent);
    }
    let (m, table) = (&*MODULUS, &*COMB);
    let mut result = m.one;
    for column in (0..COMB_ROW_BITS).rev() {
        result = m.square(&result);
        let index = (0..4).fold(0, |index, row| index | exponent.bits_at(row * COMB_ROW_BITS + column, 1) << row);
        result = m.multiply(&result, &select(table, index));
    }
    m.out_of_montgomery(&result)
}

/// base^exponent mod N: by AWS-LC's constant-time exponentiation in native builds (its assembly is about
/// 1.8 times as fast on x86-64), by [`window_pow`] in browsers.
pub fn pow(base: &U3072, exponent: &U3072) -> U3072 {
    #[cfg(not(target_arch = "wasm32"))]
    return super::native::pow(&U3072(MODULUS.reduce_once(base)), exponent);
    #[cfg(target_arch = "wasm32")]
    window_pow(base, exponent)
}

/// base^exponent mod N by a fixed window.
#[cfg(any(target_arch = "wasm32", test))]
fn window_pow(base: &U3072, exponent: &U3072) -> U3072 {
    let m = &*MODULUS;
    let mut powers = [m.one; 16];
    powers[1] = m.to_montgomery(base);
    for j in 2..16 {
        powers[j] = m.multiply(&powers[j - 1], &powers[1]);
    }
    let mut result = m.one;
    for window in (0..exponent.bits().div_ceil(WINDOW_BITS)).rev() {
        for _ in 0..WINDOW_BITS {
            result = m.square(&result);
        }
        let bits = exponent.bits_at(window * WINDOW_BITS, WINDOW_BITS);
        result = m.multiply(&result, &select(&powers, bits));
    }
    m.out_of_montgomery(&result)
}

/// a * b mod N.
pub fn mul(a: &U3072, b: &U3072) -> U3072 {
    let m = &*MODULUS;
    // Montgomery multiplication divides by R, which a's Montgomery form (a * R) cancels: b can go in as it is.
    U3072(m.multiply(&m.to_montgomery(a), &Residue(b.0)).0)
}

/// (a + b) mod N.
pub fn add(a: &U3072, b: &U3072) -> U3072 {
    let m = &*MODULUS;
    let (sum, carry) = add_limbs(&m.reduce_once(a), &m.reduce_once(b));
    U3072(m.subtract_if_not_below(&sum, carry))
}

/// (a - b) mod N.
pub fn sub(a: &U3072, b: &U3072) -> U3072 {
    let m = &*MODULUS;
    let (difference, borrow) = sub_limbs(&m.reduce_once(a), &m.reduce_once(b));
    // Below zero it wrapped around to a - b + R: adding N (the carry out cancels R) gives a - b + N.
    let (wrapped, _) = add_limbs(&difference, &m.n.map(|limb| limb & borrow.wrapping_neg()));
    U3072(wrapped)
}

/// Big-endian `bytes` of any length mod N: for the other side's public value, which may be sent longer
/// than 3072 bits. Its time depends on the length only, never on the value.
pub fn reduce(bytes: &[u8]) -> U3072 {
    let m = &*MODULUS;
    // Up to 3072 bits, as every honest peer sends, one conditional subtraction is enough.
    if let Some(x) = U3072::from_be_bytes(bytes) {
        return U3072(m.reduce_once(&x));
    }
    // Longer: bit by bit, most significant first.
    let bits = bytes.iter().flat_map(|&byte| (0..8).rev().map(move |shift| Limb::from(byte >> shift & 1)));
    U3072(bits.fold([0; LIMBS], |remainder, bit| m.shift_in(&remainder, bit)))
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

/// a + b, and the carry out of the top limb (0 or 1).
fn add_limbs(a: &[Limb; LIMBS], b: &[Limb; LIMBS]) -> ([Limb; LIMBS], Limb) {
    let mut sum = [0; LIMBS];
    let mut carry = 0;
    for j in 0..LIMBS {
        let wide = Wide::from(a[j]) + Wide::from(b[j]) + Wide::from(carry);
        sum[j] = wide as Limb;
        carry = (wide >> LIMB_BITS) as Limb;
    }
    (sum, carry)
}

/// a - b modulo R, and the borrow out of the top limb (0 or 1).
fn sub_limbs(a: &[Limb; LIMBS], b: &[Limb; LIMBS]) -> ([Limb; LIMBS], Limb) {
    let mut difference = [0; LIMBS];
    let mut borrow = 0;
    for j in 0..LIMBS {
        let (partial, first) = a[j].overflowing_sub(b[j]);
        let (limb, second) = partial.overflowing_sub(borrow);
        difference[j] = limb;
        borrow = Limb::from(first | second);
    }
    (difference, borrow)
}

impl Modulus {
    fn new(n: [Limb; LIMBS]) -> Self {
        // R mod N below is R - N, which needs N < R < 2N.
        assert_eq!(n[LIMBS - 1] >> (LIMB_BITS - 1), 1, "N's top bit is set");
        // Newton's iteration doubles the correct low bits of the inverse each time: 1 -> 2 -> 4 -> ... -> 64.
        let mut inverse: Limb = 1;
        for _ in 0..6 {
            inverse = inverse.wrapping_mul((2 as Limb).wrapping_sub(n[0].wrapping_mul(inverse)));
        }
        let mut modulus = Self { n, n0: inverse.wrapping_neg(), r2: Residue([0; LIMBS]), one: Residue([0; LIMBS]) };
        // R - N is 0 - N in 3072-bit arithmetic.
        modulus.one = Residue(sub_limbs(&[0; LIMBS], &n).0);
        // R^2 mod N = (R mod N) * 2^3072 mod N: R mod N doubled 3072 times.
        modulus.r2 = Residue((0..BITS).fold(modulus.one.0, |doubled, _| modulus.shift_in(&doubled, 0)));
        modulus
    }

    fn to_montgomery(&self, x: &U3072) -> Residue {
        // x * R^2 / R; x < R and R^2 mod N < N keep the product within what `multiply` reduces.
        self.multiply(&Residue(x.0), &self.r2)
    }

    fn out_of_montgomery(&self, x: &Residue) -> U3072 {
        U3072(self.multiply(x, &Residue(U3072::from_u32(1).0)).0)
    }

    /// a * b / R mod N, for a * b < N * R, by finely integrated operand scanning: each pass over the limbs
    /// adds a * b_i and the multiple of N that clears the lowest limb, and shifts down one limb.
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
        let (low, top) = t.split_at(LIMBS);
        Residue(self.subtract_if_not_below(low.try_into().expect("LIMBS limbs"), top[0]))
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
        Residue(self.subtract_if_not_below(x[LIMBS..].try_into().expect("LIMBS limbs"), overflow))
    }

    /// 2x + bit mod N for x < N: one step of reading a number into its remainder, most significant bit
    /// first. 2x + 1 < 2N, so one conditional subtraction is enough.
    fn shift_in(&self, x: &[Limb; LIMBS], bit: Limb) -> [Limb; LIMBS] {
        let mut doubled = [0; LIMBS];
        let mut shifted_out = bit;
        for (out, &limb) in doubled.iter_mut().zip(x) {
            *out = limb << 1 | shifted_out;
            shifted_out = limb >> (LIMB_BITS - 1);
        }
        self.subtract_if_not_below(&doubled, shifted_out)
    }

    /// x mod N for any x < 2^3072, which is below 2N since N's top bit is set.
    fn reduce_once(&self, x: &U3072) -> [Limb; LIMBS] {
        self.subtract_if_not_below(&x.0, 0)
    }

    /// t mod N for t = low + top * R < 2N (top is 0 or 1), always doing the subtraction and keeping t or
    /// t - N by a mask.
    fn subtract_if_not_below(&self, low: &[Limb; LIMBS], top: Limb) -> [Limb; LIMBS] {
        let (difference, borrow) = sub_limbs(low, &self.n);
        // t < N exactly when the subtraction borrowed past the top limb.
        let keep = (borrow & !top & 1).wrapping_neg();
        let mut result = [0; LIMBS];
        for j in 0..LIMBS {
            result[j] = low[j] & keep | difference[j] & !keep;
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use num_bigint::BigUint;

    use super::*;
    use crate::srp::oracle::{self, edges, numbers, ours, power_of_two, theirs, u3072s};

    #[test]
    fn pow_agrees_with_num_bigint() {
        let exponents: Vec<BigUint> = numbers().step_by(9).map(|e| e % power_of_two(520)).collect();
        for (base, exponent) in numbers().zip(exponents.iter().cycle()) {
            // A base past 2^3072 goes in reduced: it could only have come as bytes.
            let bytes = base.to_bytes_be();
            let our_base = U3072::from_be_bytes(&bytes).unwrap_or_else(|| reduce(&bytes));
            let expected = base.modpow(exponent, &oracle::N);
            assert_eq!(theirs(&pow(&our_base, &ours(exponent))), expected, "{base:x} ^ {exponent:x}");
        }
    }

    #[test]
    fn the_browsers_window_agrees_with_num_bigint() {
        for (base, exponent) in numbers().zip(numbers().step_by(5).map(|e| e % power_of_two(520))) {
            let base = base % &*oracle::N;
            let expected = base.modpow(&exponent, &oracle::N);
            assert_eq!(theirs(&window_pow(&ours(&base), &ours(&exponent))), expected, "{base:x} ^ {exponent:x}");
        }
        for base in edges() {
            assert_eq!(theirs(&window_pow(&ours(&base), &U3072::from_u32(3))), base.modpow(&3u32.into(), &oracle::N));
        }
    }

    #[test]
    fn pow_g_agrees_with_num_bigint_within_the_comb_and_beyond() {
        let g = BigUint::from(2u32);
        for exponent in numbers().map(|e| e % power_of_two(300)) {
            assert_eq!(theirs(&pow_g(&ours(&exponent))), g.modpow(&exponent, &oracle::N), "g ^ {exponent:x}");
        }
    }

    #[test]
    fn edge_cases() {
        let (g, n_minus_1) = (BigUint::from(2u32), &*oracle::N - 1u32);
        let max_comb = power_of_two(COMB_BITS) - 1u32;
        for exponent in [BigUint::ZERO, BigUint::from(1u32), g.clone(), max_comb, n_minus_1] {
            assert_eq!(theirs(&pow_g(&ours(&exponent))), g.modpow(&exponent, &oracle::N));
            for base in edges() {
                let expected = base.modpow(&exponent, &oracle::N);
                assert_eq!(theirs(&pow(&ours(&base), &ours(&exponent))), expected, "{base:x} ^ {exponent:x}");
            }
        }
    }

    #[test]
    fn reduce_agrees_with_num_bigint_at_any_length() {
        let long = [power_of_two(6144) + 7u32, &*oracle::N * &*oracle::N, &*oracle::N * 3u32];
        for x in numbers().chain(edges()).chain(long) {
            assert_eq!(theirs(&reduce(&x.to_bytes_be())), &x % &*oracle::N, "{x:x}");
        }
        // Leading zero bytes, and no bytes at all, read as the number they spell.
        assert_eq!(reduce(&[0, 0, 0, 7]), U3072::from_u32(7));
        assert_eq!(reduce(&[]), U3072::ZERO);
    }

    #[test]
    fn mul_add_and_sub_agree_with_num_bigint() {
        let values: Vec<BigUint> = u3072s().step_by(4).chain(edges()).collect();
        let n = &*oracle::N;
        for a in &values {
            for b in values.iter().rev().step_by(3) {
                let (ours_a, ours_b) = (ours(a), ours(b));
                assert_eq!(theirs(&mul(&ours_a, &ours_b)), a * b % n, "{a:x} * {b:x}");
                assert_eq!(theirs(&add(&ours_a, &ours_b)), (a + b) % n, "{a:x} + {b:x}");
                assert_eq!(theirs(&sub(&ours_a, &ours_b)), (a % n + n - b % n) % n, "{a:x} - {b:x}");
            }
        }
    }

    #[test]
    fn montgomery_constants_are_what_they_claim() {
        let m = &*MODULUS;
        assert_eq!(theirs(&U3072(m.one.0)), power_of_two(3072) % &*oracle::N);
        assert_eq!(theirs(&U3072(m.r2.0)), power_of_two(6144) % &*oracle::N);
        assert_eq!(m.n0.wrapping_mul(m.n[0]), Limb::MAX, "n0 * N = -1 modulo 2^LIMB_BITS");
    }

    #[test]
    fn equal_mask_selects_one_entry() {
        assert_eq!(equal_mask(3, 3), Limb::MAX);
        assert_eq!(equal_mask(3, 4), 0);
        assert_eq!(equal_mask(0, 15), 0);
    }
}
