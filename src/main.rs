fn main() -> std::process::ExitCode {
    berry::cli::main()
}
