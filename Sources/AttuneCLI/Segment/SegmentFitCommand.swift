import AttuneCore
import Foundation
import Linalg
import Segmentation

/// `attune segment fit`: events or a feature matrix → a fitted segment model (JSON), a
/// summary on standard output and optionally an HTML report.
struct SegmentFitCommand: Command {
    static let method = Option<SegmentationMethod>("method", default: .kmeans, help: "The clustering method.")
    static let k = Option<String>("k", default: "auto", valueName: "n|auto", help: "Number of segments, or 'auto': by the gap statistic among 2…--max-k (k-means), by BIC (gmm).")
    static let maxK = Option<Int>("max-k", default: 8, help: "Largest k tried by --k auto.")
    static let nInit = Option<Int>("n-init", default: 10, help: "k-means initialisations (k-means++ seeds); the lowest inertia wins.")
    static let algorithm = Option<KMeans.Algorithm>("algorithm", default: .lloyd, help: "k-means iterations: 'lloyd' (gemm assignment) or 'hamerly' (bounds; faster when many iterations are needed).")
    static let scaling = Option<Scaler.Method>("scaling", default: .standard, help: "Feature scaling stored in the model.")
    static let treeDepth = Option<Int>("tree-depth", default: 4, help: "Depth of the decision tree whose rules explain the segments.")
    static let epsilon = Option<Double>("eps", default: 0.5, help: "DBSCAN neighbourhood radius, in scaled units.")
    static let minPoints = Option<Int>("min-points", default: 5, help: "DBSCAN points within --eps (itself included) that make a core point.")
    static let covariance = Option<GaussianMixture.Covariance>("covariance", default: .full, help: "Covariance structure of --method gmm.")
    static let embedding = Option<SegmentationEmbedding>("embedding", default: .scaled, help: "Cluster the scaled features ('scaled') or the bottleneck of an autoencoder trained on them ('autoencoder', Adam, seeded).")
    static let embeddingDimension = Option<Int>("embedding-dim", default: 2, help: "Width of the autoencoder's bottleneck (--embedding autoencoder).")
    static let hiddenWidth = Option<Int>("hidden", default: 16, help: "Width of the autoencoder's hidden layer on each side of the bottleneck.")
    static let epochs = Option<Int>("epochs", default: 100, help: "Autoencoder training passes over the customers.")
    static let bootstrap = Option<Int>("bootstrap", default: 5, help: "Bootstrap refits for the stability estimate (0 skips it).")
    static let maxCategories = Option<Int>("max-categories", default: 8, help: "Product categories with their own share feature; the rest share 'other'.")
    static let output = Option<String>("output", valueName: "model.json", help: "Where to write the fitted model, which `attune segment assign` and the server read; without it the model is not kept.")
    static let report = Option<String>("report", valueName: "report.html", help: "Also write a self-contained HTML report.")

    static let configuration = CommandConfiguration(
        name: "fit",
        abstract: "Fit a segment model from raw events or a numeric feature matrix.",
        discussion: """
        Events (JSON Lines or CSV: customer_id, timestamp, channel, type, value, category, …) are \
        streamed into per-customer profiles and turned into named features (RFM, order value, \
        channel and category mix, engagement, sentiment, trend, …). The features are scaled, \
        clustered, and explained by a decision tree whose rules are reported with their fidelity. \
        Example: attune segment fit --events events.jsonl --method kmeans --k auto --output model.json --report segments.html
        """,
        arguments: [
            SegmentInput.events, SegmentInput.features, SegmentInput.onError, SegmentInput.asOf, method, k, maxK, nInit,
            algorithm, scaling, treeDepth, epsilon, minPoints, covariance, embedding, embeddingDimension, hiddenWidth, epochs, bootstrap, maxCategories, StandardOptions.seed, output, report,
            StandardOptions.format, StandardOptions.quiet,
        ])

    var events: String?, features: String?, onError: EventReader.ErrorPolicy, asOf: String?
    var method: SegmentationMethod, k: String, maxK: Int, nInit: Int, algorithm: KMeans.Algorithm, scaling: Scaler.Method, treeDepth: Int
    var embedding: SegmentationEmbedding, embeddingDimension: Int, hiddenWidth: Int, epochs: Int
    var epsilon: Double, minPoints: Int, covariance: GaussianMixture.Covariance, bootstrap: Int, maxCategories: Int, seed: UInt64
    var output: String?, report: String?, format: OutputFormat, quiet: Bool

    init(arguments: ParsedArguments) throws {
        events = try arguments.valueIfPresent(SegmentInput.events)
        features = try arguments.valueIfPresent(SegmentInput.features)
        onError = try arguments.value(SegmentInput.onError)
        asOf = try arguments.valueIfPresent(SegmentInput.asOf)
        method = try arguments.value(Self.method)
        k = try arguments.value(Self.k)
        maxK = try arguments.value(Self.maxK)
        nInit = try arguments.value(Self.nInit)
        algorithm = try arguments.value(Self.algorithm)
        scaling = try arguments.value(Self.scaling)
        treeDepth = try arguments.value(Self.treeDepth)
        epsilon = try arguments.value(Self.epsilon)
        minPoints = try arguments.value(Self.minPoints)
        covariance = try arguments.value(Self.covariance)
        bootstrap = try arguments.value(Self.bootstrap)
        embedding = try arguments.value(Self.embedding)
        embeddingDimension = try arguments.value(Self.embeddingDimension)
        hiddenWidth = try arguments.value(Self.hiddenWidth)
        epochs = try arguments.value(Self.epochs)
        maxCategories = try arguments.value(Self.maxCategories)
        seed = try arguments.value(StandardOptions.seed)
        output = try arguments.valueIfPresent(Self.output)
        report = try arguments.valueIfPresent(Self.report)
        format = try arguments.value(StandardOptions.format)
        quiet = try arguments.isSet(StandardOptions.quiet)
    }

    /// The number of segments, `nil` for auto.
    func fixedK() throws -> Int? {
        if k == "auto" { return nil }
        guard let value = Int(k), value >= 1 else {
            throw CommandLineError.invalidInput(field: "--k", reason: "give a whole number ≥ 1 or 'auto', got \"\(k)\"")
        }
        return value
    }

    func validate() throws {
        try SegmentInput.validate(events: events, features: features)
        _ = try fixedK()
        _ = try SegmentInput.referenceTime(asOf)
        guard maxK >= 2 else { throw CommandLineError.invalidInput(field: "--max-k", reason: "give at least 2") }
        guard maxCategories >= 0 else { throw CommandLineError.invalidInput(field: "--max-categories", reason: "give 0 or more") }
    }

    func run(context: CommandContext) async throws -> ExitCode {
        let options = try SegmentationFitter.Options(
            method: method, k: try fixedK(), kCandidates: 2...maxK, initializations: nInit, scaling: scaling,
            treeDepth: treeDepth, epsilon: epsilon, minimumPoints: minPoints, bootstrapRuns: bootstrap,
            covariance: covariance, algorithm: algorithm, embedding: embedding,
            autoencoder: try Autoencoder.Configuration(hiddenWidths: [hiddenWidth], embeddingDimension: embeddingDimension, epochs: epochs))
        let input: SegmentInput
        if let events {
            input = try SegmentInput.fromEvents(
                path: events, onError: onError, schema: nil, maximumCategories: maxCategories,
                asOf: try SegmentInput.referenceTime(asOf), context: context, quiet: quiet)
        } else {
            input = try SegmentInput.fromFeatures(path: features ?? "")
        }
        var generator = SeededGenerator(seed: seed)
        let model = try SegmentationFitter(options).fit(
            raw: input.raw, featureNames: input.featureNames, schema: input.schema, referenceTime: input.referenceTime,
            using: &generator)
        if model.segmentCount == 0 && !quiet {
            context.errors.writeLine("no segments found: every customer is noise; raise --eps or lower --min-points")
        }
        if let output {
            try SegmentInput.write(try model.jsonData(), to: output)
        } else if !quiet {
            context.errors.writeLine("the model was not saved; add --output model.json to keep it for `attune segment assign`")
        }
        if let report {
            let labels = try model.assign(raw: input.raw)
            let html = try SegmentReport.html(model: model, raw: input.raw, labels: labels)
            try SegmentInput.write(Data(html.utf8), to: report)
        }
        context.output.write(format == .json ? try Self.json(model) : Self.table(model))
        return .success
    }

    /// The fit summary for scripts: `method`, `k`, `inertia`, `sizes`, `seconds` and the
    /// method-specific and evaluation fields.
    static func json(_ model: SegmentationModel) throws -> String {
        let e = model.evaluation
        var object: [String: Any] = [
            "method": model.method.rawValue, "k": model.segmentCount, "sizes": e.segments.map(\.size),
            "seconds": model.fitSeconds, "silhouette": e.silhouette, "davies_bouldin": e.daviesBouldin,
            "rule_fidelity": model.rules.fidelity, "noise": e.noise,
            "rules": model.rules.rules.map { ["segment": $0.segment, "rule": $0.description, "precision": $0.precision, "recall": $0.recall] as [String: Any] },
        ]
        object["inertia"] = model.kmeans?.inertia ?? NSNull()
        if let m = e.stabilityMean { object["stability_ari_mean"] = m }
        if let m = e.stabilityMinimum { object["stability_ari_min"] = m }
        if let network = model.autoencoder {
            object["embedding"] = "autoencoder"
            object["embedding_dim"] = network.embeddingDimension
            object["reconstruction_loss"] = network.lossHistory.last ?? NSNull()
        }
        if let gmm = model.gmm {
            object["log_likelihood"] = gmm.logLikelihood
            object["bic"] = gmm.bic
        }
        if let scores = model.bicScores {
            object["k_selection"] = scores.map { ["k": $0.k, "bic": $0.bic] as [String: Any] }
        }
        if let s = model.kSelection {
            let gaps = Dictionary((s.gapScores ?? []).map { ($0.k, $0) }, uniquingKeysWith: { a, _ in a })
            object["k_selection"] = s.scores.map { score -> [String: Any] in
                var entry: [String: Any] = ["k": score.k, "silhouette": score.silhouette]
                if let g = gaps[score.k] {
                    entry["gap"] = g.gap
                    entry["gap_standard_error"] = g.standardError
                }
                return entry
            }
            object["k_rule"] = s.gapScores == nil ? "silhouette" : "gap"
        }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// The fit summary for people.
    static func table(_ model: SegmentationModel) -> String {
        let e = model.evaluation
        var text = "method \(model.method.rawValue), k = \(model.segmentCount)"
        if let network = model.autoencoder {
            text += ", on a \(network.embeddingDimension)-d autoencoder embedding (reconstruction MSE \(String(format: "%.4g", network.lossHistory.last ?? .nan)))"
        }
        if let inertia = model.kmeans?.inertia { text += ", inertia \(String(format: "%.6g", inertia))" }
        text += String(format: ", silhouette %.3f, Davies–Bouldin %.3f, rule fidelity %.1f%%, %.2f s\n",
                       e.silhouette, e.daviesBouldin, model.rules.fidelity * 100, model.fitSeconds)
        if let m = e.stabilityMean { text += String(format: "bootstrap stability (ARI): mean %.3f, min %.3f\n", m, e.stabilityMinimum ?? m) }
        if e.noise > 0 { text += "noise: \(e.noise) customers\n" }
        text += "segment  customers   share  rule\n"
        for s in e.segments {
            let rule = model.rule(for: s.segment)
            text += String(format: "%7d  %9d  %5.1f%%  ", s.segment, s.size, s.share * 100) + rule + "\n"
        }
        return text
    }
}
