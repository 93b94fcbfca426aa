import AttuneCore
import Foundation
import Linalg
import Segmentation

/// `attune segment assign`: the segment of every customer under a fitted model, with the
/// rule that explains it.
struct SegmentAssignCommand: Command {
    static let model = Option<String>("model", isRequired: true, valueName: "model.json", help: "A model written by 'attune segment fit'.")

    static let configuration = CommandConfiguration(
        name: "assign",
        abstract: "Assign customers to the segments of a fitted model, with the rule that explains each.",
        discussion: """
        Events are turned into features with the model's own schema and scaling, so the \
        assignment uses exactly the fitted transform. Example: \
        attune segment assign --model model.json --events today.jsonl --format json
        """,
        arguments: [model, SegmentInput.events, SegmentInput.features, SegmentInput.onError, SegmentInput.asOf,
                    StandardOptions.format, StandardOptions.quiet])

    var model: String, events: String?, features: String?, onError: EventReader.ErrorPolicy, asOf: String?
    var format: OutputFormat, quiet: Bool

    init(arguments: ParsedArguments) throws {
        model = try arguments.value(Self.model)
        events = try arguments.valueIfPresent(SegmentInput.events)
        features = try arguments.valueIfPresent(SegmentInput.features)
        onError = try arguments.value(SegmentInput.onError)
        asOf = try arguments.valueIfPresent(SegmentInput.asOf)
        format = try arguments.value(StandardOptions.format)
        quiet = try arguments.isSet(StandardOptions.quiet)
    }

    func validate() throws {
        try SegmentInput.validate(events: events, features: features)
        _ = try SegmentInput.referenceTime(asOf)
    }

    func run(context: CommandContext) async throws -> ExitCode {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: model)) } catch {
            throw SegmentationError.unreadableFile(path: model, reason: error.localizedDescription)
        }
        let fitted = try SegmentationModel(jsonData: data)
        let input: SegmentInput
        if let events {
            guard let schema = fitted.schema else {
                throw CommandLineError.invalidInput(field: "--events", reason: "this model was fitted on a feature matrix; pass --features with the same columns")
            }
            input = try SegmentInput.fromEvents(
                path: events, onError: onError, schema: schema, maximumCategories: 0,
                asOf: try SegmentInput.referenceTime(asOf), context: context, quiet: quiet)
        } else {
            input = try SegmentInput.fromFeatures(path: features ?? "")
            guard input.featureNames.count == fitted.featureNames.count else {
                throw SegmentationError.dimensionMismatch(expected: fitted.featureNames.count, actual: input.featureNames.count, what: "feature matrix")
            }
            // A CSV header must name the model's columns in the model's order (.npy has no names).
            let unnamed = input.featureNames.enumerated().allSatisfy { $0.element == "x\($0.offset)" }
            if !unnamed, let j = input.featureNames.indices.first(where: { input.featureNames[$0] != fitted.featureNames[$0] }) {
                throw CommandLineError.invalidInput(
                    field: "--features",
                    reason: "column \(j + 1) is \"\(input.featureNames[j])\" but the model expects \"\(fitted.featureNames[j])\"; give the columns in the model's order")
            }
        }
        let labels = try fitted.assign(raw: input.raw)
        if format == .json {
            let rows = zip(input.customerIDs, labels).map { id, s -> [String: Any] in
                ["customer_id": id, "segment": s, "rule": fitted.rule(for: s)]
            }
            let json = try JSONSerialization.data(withJSONObject: ["assignments": rows], options: [.sortedKeys])
            context.output.write(String(decoding: json, as: UTF8.self) + "\n")
        } else {
            var text = "customer_id\tsegment\trule\n"
            for (id, s) in zip(input.customerIDs, labels) { text += "\(id)\t\(s)\t\(fitted.rule(for: s))\n" }
            context.output.write(text)
        }
        return .success
    }
}
