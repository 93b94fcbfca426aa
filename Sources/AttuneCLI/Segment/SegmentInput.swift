import AttuneCore
import Foundation
import Linalg
import Segmentation

/// The customer rows a segment command works on: read from events (features extracted per
/// customer) or from a numeric feature matrix.
struct SegmentInput {
    var customerIDs: [String]
    var featureNames: [String]
    var raw: Matrix
    var schema: FeatureSchema?
    var referenceTime: Double?

    static let events = Option<String>("events", valueName: "file", help: "Raw events, JSON Lines (.jsonl) or CSV (.csv); '-' reads standard input as JSON Lines.")
    static let features = Option<String>("features", valueName: "file", help: "A numeric feature matrix instead of events: CSV with a header, or NumPy .npy.")
    static let onError = Option<EventReader.ErrorPolicy>("on-error", default: .fail, help: "What to do with a malformed event line: 'fail' lists the first 10 problems and stops, 'skip' drops the line.")
    static let asOf = Option<String>("as-of", valueName: "time", help: "Reference time for recency, tenure and trend (ISO 8601 or epoch seconds); default: the latest event.")

    /// Checks that exactly one of `--events` and `--features` is given.
    static func validate(events: String?, features: String?) throws {
        guard (events == nil) != (features == nil) else {
            throw CommandLineError.invalidInput(field: "--events/--features", reason: "give exactly one of --events FILE or --features FILE")
        }
    }

    /// Parses `--as-of`.
    static func referenceTime(_ text: String?) throws -> Double? {
        guard let text else { return nil }
        guard let t = Timestamp.parse(text) else {
            throw CommandLineError.invalidInput(field: "--as-of", reason: "\"\(text)\" is neither ISO 8601 (2024-03-01T00:00:00Z) nor epoch seconds")
        }
        return t
    }

    /// Reads events into profiles and extracts features with `schema` (or one made from the
    /// data with `maximumCategories` top categories).
    static func fromEvents(
        path: String, onError: EventReader.ErrorPolicy, schema: FeatureSchema?, maximumCategories: Int, asOf: Double?,
        context: CommandContext, quiet: Bool
    ) throws -> SegmentInput {
        var table = ProfileTable(searchBuckets: schema?.searchBuckets ?? 8)
        let progress = context.makeProgressReporter(label: "events", total: nil, quiet: quiet)
        let reader = EventReader(format: EventReader.Format.inferred(fromPath: path), onError: onError)
        var reported = 0
        let report = try reader.read(path: path, into: &table) { seen in
            progress.advance(by: seen - reported)
            reported = seen
        }
        progress.advance(by: report.eventCount - reported)
        progress.finish()
        if report.problemCount > 0 && !quiet {
            context.errors.writeLine("skipped \(report.problemCount) malformed line(s); the first ones:")
            for problem in report.problems { context.errors.writeLine("  \(problem)") }
        }
        guard table.count > 0 else {
            throw SegmentationError.insufficientData(needed: 1, available: 0, what: "customers in \(path)")
        }
        let usedSchema = try schema ?? table.makeSchema(maximumCategories: maximumCategories)
        let reference = asOf ?? table.latestTimestamp
        let (ids, raw) = table.featureMatrix(schema: usedSchema, asOf: reference)
        if !quiet {
            context.errors.writeLine("read \(report.eventCount) events of \(ids.count) customers")
        }
        return SegmentInput(customerIDs: ids, featureNames: usedSchema.names, raw: raw, schema: usedSchema, referenceTime: reference)
    }

    /// Reads a feature matrix.
    static func fromFeatures(path: String) throws -> SegmentInput {
        let table = try FeatureMatrixReader.read(path: path)
        return SegmentInput(customerIDs: table.rowIDs, featureNames: table.names, raw: table.matrix, schema: nil, referenceTime: nil)
    }

    /// Writes `data` to `path`, reporting failures as bad input.
    static func write(_ data: Data, to path: String) throws {
        do {
            try data.write(to: URL(fileURLWithPath: path))
        } catch {
            throw SegmentationError.unwritableFile(path: path, reason: error.localizedDescription)
        }
    }
}
