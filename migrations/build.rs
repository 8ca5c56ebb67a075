// `sqlx::migrate!` embeds the SQL files at compile time; without this, adding a
// migration would not rebuild the crate and the new file would be silently missing.
fn main() {
    println!("cargo:rerun-if-changed=postgres");
    println!("cargo:rerun-if-changed=sqlite");
}
