//! Exit codes, and how errors reach the user: once, on one line.

use std::process::ExitCode;

/// Printed under `--help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  the command ran; for `solve`, the solver returned a status (even infeasible);
     for `verify`, every answer (robust, not robust, unknown; sat, unsat) is exit 0
  1  an internal failure (a bug or a numerical failure of the solver)
  2  bad input: unknown option, missing or malformed file, invalid setting
  3  `train`: no network (the solver ended, e.g. at its time limit, without one);
     `select`: no setting gave a network on every fold
  4  `train`: the certificate check failed (the MILP's values and the network's
     forward pass disagree, or the network as written does not give the certified
     network's scores); `certify`: the solution fails the certificate (its
     network's forward pass does not reproduce it, or it breaks a row of the
     model); `bounds`: a witness's forward pass fell outside the
     proven range; `verify --property`: an `unsat` without a solved MILP's proof
     (an internal guard): a numerical failure, never reported as a result
  5  `train`, `bench`, `select`: interrupted (Ctrl-C, or a SIGTERM or SIGHUP as
     `kill` sends): the best certified network so far was written, with its
     full report (status interrupted); `bench`: the table holds the runs that
     finished; `select` during cross-validation: the finished folds are
     printed, nothing is written
  6  `train`: the domain rules cannot all hold (the full MIP proved that no
     network keeps every rule; the message names the rules involved)";

pub const BAD_INPUT: u8 = 2;
pub const FAILURE: u8 = 1;
pub const NO_NETWORK: u8 = 3;
pub const CERTIFICATE_FAILED: u8 = 4;
/// A run ended early by an interrupt (Ctrl-C, SIGTERM, SIGHUP); what it
/// had was written.
pub const INTERRUPTED: u8 = 5;
/// `train`'s domain rules cannot all hold: the full MIP proved that no
/// network keeps every rule (the message names the rules involved).
pub const RULES_CANNOT_ALL_HOLD: u8 = 6;

/// An outcome with its own exit code (3 or 4; 5 is returned, not raised).
#[derive(Debug)]
pub struct Exit {
    pub code: u8,
    pub message: String,
}

impl Exit {
    pub fn no_network(message: String) -> Self {
        Exit {
            code: NO_NETWORK,
            message,
        }
    }
    pub fn certificate(message: String) -> Self {
        Exit {
            code: CERTIFICATE_FAILED,
            message,
        }
    }
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Exit {}

/// An error caused by what the user gave: exit code 2.
#[derive(Debug)]
pub struct InputError(pub anyhow::Error);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

impl std::error::Error for InputError {}

/// Wraps any error as bad input.
pub fn input<E: Into<anyhow::Error>>(e: E) -> anyhow::Error {
    anyhow::Error::new(InputError(e.into()))
}

/// Prints an error on one line and picks its exit code.
pub fn report(e: anyhow::Error) -> ExitCode {
    let code = if e.downcast_ref::<InputError>().is_some() {
        BAD_INPUT
    } else if let Some(exit) = e.downcast_ref::<Exit>() {
        exit.code
    } else {
        FAILURE
    };
    let text = format!("{e:#}").replace('\n', " ");
    eprintln!("mipnet: error: {text}");
    ExitCode::from(code)
}

/// Help and version go to stdout with code 0; a usage error keeps clap's
/// whole message (the missing arguments, "did you mean", the usage line),
/// with code 2.
pub fn clap_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
            let _ = e.print();
            ExitCode::from(BAD_INPUT)
        }
        _ => {
            // clap's whole message: which arguments are missing, "did you
            // mean", the usage line. Only its colours are dropped.
            let rendered = e.render().to_string();
            let text = rendered.trim_end().replacen("error: ", "mipnet: error: ", 1);
            eprintln!("{text}");
            ExitCode::from(BAD_INPUT)
        }
    }
}
