import AttuneCore
import Bandits
import Foundation
import PolicyGradient

/// `attune policy`: commands on policy files.
struct PolicyCommands: CommandGroup {
    static let configuration = CommandConfiguration(
        name: "policy",
        abstract: "Check policy files (policies/*.json: attune.policy/1 and attune.policy-gradient/1).",
        subcommands: [PolicyValidate.self]
    )
}

/// `attune policy validate FILE…`: strict check of policy files.
///
/// Each file is decoded strictly (an unknown key is an error naming its JSON path and the
/// nearest known key), validated (ranges, consistency) and built into a live policy; exit 0
/// when every file is valid, 64 with the first problem otherwise.
struct PolicyValidate: Command {
    static let files = RepeatedArgument<String>("file", help: "Policy files to check (JSON, format attune.policy/1 or attune.policy-gradient/1).")
    static let configuration = CommandConfiguration(
        name: "validate",
        abstract: "Strictly check policy files: unknown keys, ranges, consistency, and that the policy builds.",
        discussion: """
        Prints one line per valid file (or a JSON array with '--format json'); the first invalid file stops \
        the check with exit code 64 and a message naming the file, line:column and JSON path of the problem. \
        Example: attune policy validate policies/offers-linucb.json
        """,
        arguments: [files, StandardOptions.format]
    )

    var files: [String]
    var format: OutputFormat

    init(arguments: ParsedArguments) throws {
        files = try arguments.values(Self.files)
        format = try arguments.value(StandardOptions.format)
    }

    func run(context: CommandContext) async throws -> ExitCode {
        var reports: [Report] = []
        for file in files {
            if let data = FileManager.default.contents(atPath: file), PolicyGradientSpecification.isPolicyGradientDocument(data) {
                reports.append(try Self.validatePolicyGradient(data, file: file))
                continue
            }
            let specification = try PolicySpecification(contentsOf: file)
            let policy = try specification.makePolicy()
            reports.append(Report(file: file, valid: true, id: specification.id, algorithm: specification.algorithm.kind.rawValue,
                                  actions: policy.catalog.count, contextDimension: policy.contextDimension,
                                  fingerprint: specification.fingerprint))
        }
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            context.output.writeLine(String(decoding: try encoder.encode(reports), as: UTF8.self))
        case .table:
            for r in reports {
                context.output.writeLine("\(r.file): valid (id \(r.id), \(r.algorithm), \(r.actions) actions, context dimension \(r.contextDimension), fingerprint \(r.fingerprint))")
            }
        }
        return .success
    }

    /// Checks an `attune.policy-gradient/1` file: strict decoding, validation and, for the
    /// discrete (softmax) family, that the live policy builds.
    /// - Throws: `PolicyGradientError.invalidSpecification` naming the JSON path of the problem.
    static func validatePolicyGradient(_ data: Data, file: String) throws -> Report {
        let specification = try PolicyGradientSpecification(decoding: data, source: file)
        var actions = specification.catalog?.count ?? 0
        var dimension = specification.featureSchema.features.count
        if specification.policy.kind == "softmax" || specification.catalog != nil {
            let policy = try specification.makePolicy()
            actions = policy.catalog.count
            dimension = policy.contextDimension
        }
        return Report(file: file, valid: true, id: specification.id, algorithm: specification.policy.kind,
                      actions: actions, contextDimension: dimension, fingerprint: "-")
    }

    /// One validated file, as printed with `--format json`.
    struct Report: Encodable {
        var file: String
        var valid: Bool
        var id: String
        var algorithm: String
        var actions: Int
        var contextDimension: Int
        var fingerprint: String

        enum CodingKeys: String, CodingKey {
            case file, valid, id, algorithm, actions
            case contextDimension = "context_dimension"
            case fingerprint
        }
    }
}
