import AttuneCore
import CMimalloc
import Bandits
import Dispatch
import Engine
import Foundation
import PolicyGradient
import Server

struct Serve: Command {
    /// mimalloc's version, `major.minor.patch` (`mi_version()` gives 209 for 2.0.9).
    static var mimallocVersion: String { MemoryTuning.mimallocVersion(Int(mi_version())) }

    static let config = Option<String>("config", help: "Server configuration file (JSON, strict); flags override it.")
    static let host = Option<String>("host", help: "IPv4 address to listen on (default 127.0.0.1).")
    static let port = Option<Int>("port", help: "TCP port (default 8080).")
    static let dataDir = Option<String>("data-dir", help: "Where the event log and checkpoints live (default ./attune-data).")
    static let policies = Option<String>("policies", help: "Directory of policy files, *.json (default policies).")
    static let configuration = CommandConfiguration(
        name: "serve",
        abstract: "Run the decision server: POST /v1/decisions, POST /v1/rewards, GET /metrics, on the embedded SQLite event log.",
        discussion: """
        Loads every policy file of the policies directory, recovers the models from the last checkpoint and the log, \
        and serves until SIGINT or SIGTERM (in-flight requests finish, then a checkpoint is written). Every decision \
        is committed to the log before its reply. No API key is required on a loopback address unless keys are \
        configured ('api_keys' in --config, or ATTUNE_API_KEYS=name:key:decide+reward+admin,...); other addresses \
        require keys. Example: attune serve --port 8080 --data-dir attune-data --policies policies
        """,
        arguments: [config, host, port, dataDir, policies]
    )

    var configPath: String?
    var host: String?
    var port: Int?
    var dataDir: String?
    var policiesDir: String?

    init(arguments: ParsedArguments) throws {
        configPath = try arguments.valueIfPresent(Self.config)
        host = try arguments.valueIfPresent(Self.host)
        port = try arguments.valueIfPresent(Self.port)
        dataDir = try arguments.valueIfPresent(Self.dataDir)
        policiesDir = try arguments.valueIfPresent(Self.policies)
    }

    func run(context: CommandContext) async throws -> ExitCode {
        let file = try configPath.map { path throws(AttuneCoreError) in try ServeConfiguration(contentsOfFile: path) } ?? ServeConfiguration()
        var server = ServerConfiguration()
        server.host = host ?? file.host ?? server.host
        server.port = port ?? file.port ?? server.port
        server.maxBodyBytes = file.maxBodyBytes ?? server.maxBodyBytes
        server.rateLimitPerSecond = file.rateLimitPerSecond
        server.rateLimitBurst = file.rateLimitBurst ?? server.rateLimitBurst
        var keys = file.apiKeys ?? []
        if let environment = ProcessInfo.processInfo.environment["ATTUNE_API_KEYS"], !environment.isEmpty {
            keys += try APIKeys.parse(environment).keys
        }
        server.apiKeys = APIKeys(keys)
        guard server.apiKeys.isEnabled || server.isLoopback else {
            throw EngineError.invalidField(field: "host", reason: "\(server.host) is not a loopback address and no API key is configured; set api_keys in --config or ATTUNE_API_KEYS")
        }
        let directory = dataDir ?? file.dataDir ?? "attune-data"
        let policyDirectory = policiesDir ?? file.policies ?? "policies"
        var skipped: [String] = []
        var models: [String: any Policy] = [:]
        var algorithms: [String: String] = [:]
        let specifications = try Self.loadPolicies(policyDirectory, skipped: &skipped, models: &models, algorithms: &algorithms)
        if !skipped.isEmpty {
            context.errors.writeLine("attune serve: not serving \(skipped.joined(separator: ", ")) (attune.policy-gradient/1 files without a catalog choose a continuous price, not one of the API's actions; list price points in its catalog to serve them)")
        }
        for (name, specification) in specifications {
            if models[specification.id] == nil {
                server.policyFiles[specification.id] = policyDirectory + "/" + name
            } else {
                // Only policy-gradient files are served with a prebuilt model (see loadPolicies).
                server.prebuiltModels[specification.id] = .init(file: policyDirectory + "/" + name, algorithm: algorithms[specification.id] ?? "policy_gradient",
                                                                fingerprint: specification.fingerprint)
            }
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw EngineError.storage(operation: "create the data directory \(directory)", message: "\(error.localizedDescription)")
        }
        var engineConfiguration = EngineConfiguration(dataDirectory: directory)
        engineConfiguration.checkpointIntervalSeconds = file.checkpointIntervalSeconds ?? engineConfiguration.checkpointIntervalSeconds
        engineConfiguration.checkpointEveryInteractions = file.checkpointEveryInteractions ?? engineConfiguration.checkpointEveryInteractions
        try file.apply(to: &engineConfiguration)
        let threading = try file.threading()
        engineConfiguration.modes = file.policyModes
        for id in models.keys.sorted() {
            // A policy-gradient policy is trained offline on journeys: one joined reward is not a
            // return, so the server logs its decisions (exact propensities) and does not learn.
            engineConfiguration.modes[id] = engineConfiguration.modes[id] ?? PolicyMode(.logging)
            let mode = engineConfiguration.modes[id]?.kind.rawValue ?? "logging"
            context.errors.writeLine("attune serve: serving \(id) from an attune.policy-gradient/1 file, frozen (mode \(mode)): decisions are sampled from its distribution and logged with their exact propensities; rewards are joined and logged but not learned online (retrain with 'attune learn --policy F --log exported.jsonl' and restart: reload cannot rebuild it)")
        }

        // The process allocates with mimalloc (linked in: see Package.swift). glibc's thresholds
        // are still fixed: they keep memory flat wherever glibc's allocator is the one in use.
        MemoryTuning.fixMallocThresholds()
        let store = try SQLiteEventStore(path: directory + "/events.sqlite")
        if let days = file.retentionDays {
            guard days.isFinite, days > 0 else {
                throw EngineError.invalidField(field: "retention_days", reason: "\(days) must be a positive number of days")
            }
            // Only entries far older than any reward window go; the checkpoint keeps the models they taught.
            let deleted = try store.deleteEntries(before: Date().timeIntervalSince1970 - days * 86_400)
            if deleted > 0 { context.errors.writeLine("attune serve: retention deleted \(deleted) decisions older than \(days) days") }
        }
        let customers = try file.segmentModel.map { path throws(EngineError) in try CustomerSegments(contentsOf: path, eventLog: directory + "/customer-events.jsonl", limits: try file.customerLimits()) }
        let engine = try Engine(specifications: specifications.map(\.specification), store: store, configuration: engineConfiguration, customers: customers,
                                models: models)
        if let customers, let path = file.segmentModel {
            context.errors.writeLine("attune serve: live segmentation from \(path) (\(customers.model.method.rawValue), \(customers.segmentCount) segments), \(customers.replayedEvents) customer events replayed; POST /v1/events to update customers")
        }
        let r = engine.recovery
        context.errors.writeLine("attune serve: recovered \(r.replayedEntries) log entries after checkpoint sequence \(r.checkpointSequence) in \(String(format: "%.3f", r.seconds)) s")
        for note in r.discardedModels { context.errors.writeLine("attune serve: model not restored (\(note))") }
        for note in r.recordedVersions { context.errors.writeLine("attune serve: \(note); a rollback or promotion recorded in the data directory") }
        let http: HTTPServer
        do {
            http = try HTTPServer(router: Router(engine: engine, configuration: server), threading: threading)
        } catch {
            engine.shutdown()
            throw EngineError.invalidField(field: "port", reason: error.message)
        }
        context.errors.writeLine("attune serve: listening on http://\(server.host):\(http.port) (\(http.threading.name)) with \(specifications.count) policies (\(engine.policyIDs.joined(separator: ", "))); data in \(directory); allocator mimalloc \(Self.mimallocVersion)")
        if server.apiKeys.isEnabled {
            context.errors.writeLine("attune serve: API keys required (\(server.apiKeys.keys.count) configured: \(server.apiKeys.keys.map(\.name).joined(separator: ", ")))")
        } else {
            context.errors.writeLine("attune serve: no API key required on loopback (configure api_keys or ATTUNE_API_KEYS to require keys)")
        }
        // A request that works as printed: a policy that needs no feature if there is one,
        // otherwise the first policy with its required features set to 0.
        let served = specifications.map(\.specification)
        if let example = served.first(where: { $0.featureSchema.features.allSatisfy { $0.default != nil } }) ?? served.first {
            let required = example.featureSchema.features.filter { $0.default == nil }.map { "\"\($0.name)\": 0" }.joined(separator: ", ")
            context.errors.writeLine("attune serve: try  curl -s -X POST http://\(server.host):\(http.port)/v1/decisions -d '{\"policy\": \"\(example.id)\", \"context\": {\(required)}}'")
        }

        let signal = await ShutdownSignal.wait()
        context.errors.writeLine("attune serve: \(signal) received, finishing in-flight requests")
        http.stop()
        engine.shutdown()
        let stats = engine.statistics
        context.errors.writeLine("attune serve: stopped after \(stats.committedEntries) logged entries; checkpoint at sequence \(stats.lastCheckpointSequence)")
        return .success
    }

    /// The policy files of `directory`: `attune.policy/1` files, and `attune.policy-gradient/1`
    /// files with a catalog (softmax, or Gaussian price over price points) as their serving
    /// specification, with their trained model in `models` and its family in `algorithms`
    /// (files without a catalog are listed in `skipped`).
    static func loadPolicies(_ directory: String, skipped: inout [String], models: inout [String: any Policy],
                             algorithms: inout [String: String]) throws -> [(file: String, specification: PolicySpecification)] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
        } catch {
            throw EngineError.invalidField(field: "--policies", reason: "cannot list \(directory): give a directory of policy files")
        }
        guard !names.isEmpty else {
            throw EngineError.invalidField(field: "--policies", reason: "\(directory) holds no *.json policy file")
        }
        var specifications: [(file: String, specification: PolicySpecification)] = []
        for name in names {
            let path = directory + "/" + name
            if let data = FileManager.default.contents(atPath: path), PolicyGradientSpecification.isPolicyGradientDocument(data) {
                let file = try PolicyGradientSpecification(decoding: data, source: path)
                guard file.catalog != nil else {
                    skipped.append(name)
                    continue
                }
                models[file.id] = try file.makeServingPolicy()
                algorithms[file.id] = file.servedAlgorithm
                specifications.append((name, try file.servingSpecification()))
                continue
            }
            specifications.append((name, try PolicySpecification(contentsOf: path)))
        }
        guard !specifications.isEmpty else {
            throw EngineError.invalidField(field: "--policies", reason: "\(directory) holds no policy file to serve (attune.policy/1, or an attune.policy-gradient/1 file with a catalog)")
        }
        return specifications
    }
}
