/// Errors of the benchmark executable; each names the flag or file and says what to do.
enum BenchError: Error, CustomStringConvertible {
    /// An unknown suite name.
    case unknownSuite(String)
    /// An unknown flag.
    case unknownOption(String)
    /// A flag without its value.
    case missingValue(option: String)
    /// A flag with a value that does not parse or is out of range.
    case invalidValue(option: String, value: String, expected: String)
    /// A peer did not answer as expected.
    case peerFailed(peer: String, reason: String)
    /// A file could not be written or read.
    case io(path: String, reason: String)
    /// An Attune learner could not be built or threw while running.
    case learnerFailed(learner: String, reason: String)

    var description: String {
        switch self {
        case .unknownSuite(let name):
            return "unknown suite '\(name)'; run one of: \(BenchOptions.suites.joined(separator: ", "))"
        case .unknownOption(let flag):
            return "unknown option '\(flag)'; see attune-bench --help"
        case .missingValue(let option):
            return "option \(option) needs a value; see attune-bench --help"
        case .invalidValue(let option, let value, let expected):
            return "option \(option): '\(value)' is not valid; expected \(expected)"
        case .peerFailed(let peer, let reason):
            return "peer \(peer) failed: \(reason)"
        case .io(let path, let reason):
            return "\(path): \(reason)"
        case .learnerFailed(let learner, let reason):
            return "learner \(learner) failed: \(reason)"
        }
    }
}

/// Command-line options of `attune-bench`.
///
/// Parsed by hand with a small table of flags; every flag maps to one stored property, so
/// moving to the shared command-line parser of `AttuneCore` changes only ``parse(_:)``.
struct BenchOptions: Sendable {
    static let suites = ["linalg", "bandits", "segmentation", "simulation", "evaluation", "server", "policy-gradient", "all"]

    var suite: String = ""
    var format: OutputFormat = .automatic
    var peers = true
    var quick = false
    var sizes: [Int]? = nil
    var tasks: [String]? = nil
    var rounds: Int? = nil
    var seed: UInt64 = 20_240_601
    var budgetSeconds: Double? = nil
    var soakSeconds: Double? = nil
    var repeats: Int? = nil
    var help = false

    static let usage = """
    USAGE: attune-bench SUITE [options]

    Suites:
      linalg     gemm, gemv, syr, ger, potrf, Sherman-Morrison ridge updates; raw OpenBLAS
                 and numpy (through OpenBLAS) as peers
      bandits    contextual-bandit learners on a seeded linear environment; Vowpal Wabbit,
                 MABWiser and a numpy LinUCB as peers
      segmentation  event ingestion, profile updates, k-means, DBSCAN and tree rules;
                 scikit-learn as peer
      simulation environment cost next to LinUCB, retail interactions per second, a
                 5-policy x 10-seed study
      evaluation off-policy evaluation pipeline on seeded logs (d=20, K=10) with a known
                 truth: read, reward model, all estimators, bootstrap; OBP as peer
                 (sizes 10000,100000; --rounds N for one size)
      server     the decision server on a loopback port: HTTP ceiling, durable decisions and
                 decisions with rewards (64 and 256 keep-alive connections), open loops at
                 20,000/s and at 70% of the closed-loop rate, kill -9 under load (20 kills),
                 recovery time with 10^6 logged decisions
      all        every suite built into this executable, one after the other

    Options:
      --format json|table   output format (default: json when stdout is not a terminal)
      --sizes N,N,...       linalg sizes (default: 8,20,64,256,1024,2048; --quick: 8,20,64,256)
      --rounds N            bandit rounds per learner (default: 1000000)
      --quick               small sizes and short budgets, for a smoke run
      --budget SECONDS      timed seconds per task (default: 0.5; 0.05 with --quick)
      --seed N              seed of the generated inputs (default: 20240601)
      --soak SECONDS        server only: a steady decide+reward+events load for SECONDS,
                            RSS at start, at intervals and at the end (JSON lines)
      --repeats N           server only: rounds of the wrk phases, each round every
                            connection count once; the summaries give medians, spread and
                            the runs that met the target (default: 3; 1 with --quick)
      --no-peers            do not start the Python peers
      --tasks LIST          only these tasks of the suite (segmentation: kmeans, tree, dbscan,
                            ingestion; server: stages, load, sweep, kill, recovery;
                            e.g. --tasks ingestion --no-peers)
      -h, --help            this help

    Results go to stdout, progress and notes to stderr. BLAS runs on one thread, and the
    peers are started with OPENBLAS_NUM_THREADS=1. Peer comparisons: `ratio` = peer time /
    Attune time, so a ratio above 1 means Attune is faster.
    """

    /// Parses the arguments after the executable name.
    /// - Throws: `BenchError` naming the bad flag or value.
    static func parse(_ arguments: [String]) throws(BenchError) -> BenchOptions {
        var options = BenchOptions()
        var i = 0
        func value(_ flag: String) throws(BenchError) -> String {
            i += 1
            guard i < arguments.count else { throw .missingValue(option: flag) }
            return arguments[i]
        }
        while i < arguments.count {
            let argument = arguments[i]
            switch argument {
            case "-h", "--help":
                options.help = true
            case "--format":
                let text = try value(argument)
                guard let format = OutputFormat(rawValue: text) else {
                    throw .invalidValue(option: argument, value: text, expected: "json or table")
                }
                options.format = format
            case "--sizes":
                let text = try value(argument)
                let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) >= 1 && ($0 ?? 0) <= 8192 }) else {
                    throw .invalidValue(option: argument, value: text, expected: "comma-separated sizes in 1...8192")
                }
                options.sizes = parts.compactMap { $0 }
            case "--rounds":
                let text = try value(argument)
                guard let n = Int(text), n >= 100 else {
                    throw .invalidValue(option: argument, value: text, expected: "an integer ≥ 100")
                }
                options.rounds = n
            case "--seed":
                let text = try value(argument)
                guard let n = UInt64(text) else {
                    throw .invalidValue(option: argument, value: text, expected: "a non-negative integer")
                }
                options.seed = n
            case "--budget":
                let text = try value(argument)
                guard let s = Double(text), s > 0, s <= 60 else {
                    throw .invalidValue(option: argument, value: text, expected: "seconds in (0, 60]")
                }
                options.budgetSeconds = s
            case "--soak":
                let text = try value(argument)
                guard let s = Double(text), s >= 1, s <= 86_400 else {
                    throw .invalidValue(option: argument, value: text, expected: "seconds in [1, 86400]")
                }
                options.soakSeconds = s
            case "--repeats":
                let text = try value(argument)
                guard let n = Int(text), n >= 1, n <= 100 else {
                    throw .invalidValue(option: argument, value: text, expected: "an integer in 1...100")
                }
                options.repeats = n
            case "--tasks":
                let text = try value(argument)
                let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                guard !names.isEmpty else { throw .invalidValue(option: argument, value: text, expected: "comma-separated task names") }
                options.tasks = names
            case "--quick":
                options.quick = true
            case "--no-peers":
                options.peers = false
            default:
                if argument.hasPrefix("-") { throw .unknownOption(argument) }
                guard options.suite.isEmpty else { throw .unknownSuite(argument) }
                guard suites.contains(argument) else { throw .unknownSuite(argument) }
                options.suite = argument
            }
            i += 1
        }
        return options
    }

    /// The measuring harness these options ask for.
    var harness: Harness {
        var harness = quick ? Harness.quick : Harness.standard
        if let budgetSeconds { harness.budgetSeconds = budgetSeconds }
        return harness
    }
}

import Foundation
