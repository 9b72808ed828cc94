//! Exponentiation modulo N by AWS-LC's `BN_mod_exp_mont_consttime`, for native builds: the api's side
//! of every SRP sign-in and native clients such as the benchmark's. Its Montgomery multiplication is
//! assembly (mulx/adx on x86-64), where [`super::group`]'s portable limb code must serve browsers too;
//! it is constant-time in the same sense (the exponent's length in words shows, its bits do not).
#![allow(unsafe_code)]

use std::{ptr, sync::LazyLock};

use aws_lc_sys as lc;

use super::{N, number::U3072};

const BYTES: usize = 3072 / 8;

/// A BIGNUM that this module owns; cleared when freed, as it may hold a secret.
struct Bignum(*mut lc::BIGNUM);

impl Bignum {
    fn new(value: &U3072) -> Self {
        let bytes = value.to_be_bytes();
        // SAFETY: `bytes` is valid for its length; a null `ret` asks for a new BIGNUM.
        let bignum = unsafe { lc::BN_bin2bn(bytes.as_ptr(), bytes.len(), ptr::null_mut()) };
        assert!(!bignum.is_null(), "AWS-LC could not allocate a BIGNUM");
        Self(bignum)
    }

    fn value(&self) -> U3072 {
        let mut bytes = [0; BYTES];
        // SAFETY: `bytes` has room for BYTES bytes; the BIGNUM is ours and alive.
        let written = unsafe { lc::BN_bn2bin_padded(bytes.as_mut_ptr(), BYTES, self.0) };
        assert_eq!(written, 1, "a result modulo N fits in 3072 bits");
        U3072::from_be_bytes(&bytes).expect("3072 bits")
    }
}

impl Drop for Bignum {
    fn drop(&mut self) {
        // SAFETY: allocated by BN_bin2bn and freed once, here.
        unsafe { lc::BN_clear_free(self.0) }
    }
}

/// N and its Montgomery constants, made once. AWS-LC only reads them during an exponentiation, so
/// every thread may share them.
struct Modulus {
    n: Bignum,
    montgomery: *mut lc::BN_MONT_CTX,
}

// SAFETY: neither pointer is written after `MODULUS` is made, and AWS-LC reads both without state.
unsafe impl Send for Modulus {}
unsafe impl Sync for Modulus {}

static MODULUS: LazyLock<Modulus> = LazyLock::new(|| {
    let n = Bignum::new(&N);
    // SAFETY: `n` is a valid odd modulus and the scratch context a live one.
    let montgomery = with_scratch(|scratch| unsafe { lc::BN_MONT_CTX_new_consttime(n.0, scratch) });
    assert!(!montgomery.is_null(), "AWS-LC could not prepare N");
    Modulus { n, montgomery }
});

/// An AWS-LC scratch context per thread (a BN_CTX is not to be shared).
struct Scratch(*mut lc::BN_CTX);

impl Drop for Scratch {
    fn drop(&mut self) {
        // SAFETY: allocated by BN_CTX_new and freed once, here.
        unsafe { lc::BN_CTX_free(self.0) }
    }
}

thread_local! {
    // SAFETY: BN_CTX_new takes nothing; a null result is checked before use.
    static SCRATCH: Scratch = Scratch(unsafe { lc::BN_CTX_new() });
}

fn with_scratch<T>(f: impl FnOnce(*mut lc::BN_CTX) -> T) -> T {
    SCRATCH.with(|scratch| {
        assert!(!scratch.0.is_null(), "AWS-LC could not allocate a BN_CTX");
        f(scratch.0)
    })
}

/// base^exponent mod N, for a base already below N.
pub fn pow(base: &U3072, exponent: &U3072) -> U3072 {
    let modulus = &*MODULUS;
    let (base, exponent, result) = (Bignum::new(base), Bignum::new(exponent), Bignum::new(&U3072::ZERO));
    // SAFETY: every pointer is a live BIGNUM, BN_CTX or BN_MONT_CTX of ours; the result is distinct from
    // the inputs, and the base is below N as AWS-LC requires.
    let done = with_scratch(|scratch| unsafe {
        lc::BN_mod_exp_mont_consttime(result.0, base.0, exponent.0, modulus.n.0, scratch, modulus.montgomery)
    });
    assert_eq!(done, 1, "BN_mod_exp_mont_consttime failed on a base below N");
    result.value()
}
