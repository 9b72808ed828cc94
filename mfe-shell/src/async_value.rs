//! A value that arrives later, as a plain signal. The shell's pages load things once (the runtime
//! config, a micro-frontend's module, the profile) and need neither a `LocalResource`'s tracking
//! nor its async-derived machinery, which costs wasm size for every type it is used with.

use std::future::Future;

use leptos::{prelude::*, task::spawn_local};

/// `None` until `work` finishes, then its outcome.
pub fn when_done<T: Send + Sync + 'static>(work: impl Future<Output = T> + 'static) -> ReadSignal<Option<T>> {
    let (value, set_value) = signal(None);
    spawn_local(async move { set_value.set(Some(work.await)) });
    value
}
