//! `sqlx::migrate!` embeds api/migrations at compile time; without this, a new migration file is not
//! noticed until something else makes cargo rebuild the crate.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
