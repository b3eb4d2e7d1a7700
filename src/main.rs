//! The `ctxsize` binary: a thin shell over the library.

fn main() {
    std::process::exit(ctxsize::cli::main());
}
