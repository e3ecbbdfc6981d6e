fn main() -> std::process::ExitCode {
    postbook::cli::main()
}
