/// The values given on a command line for one command, checked against its declarations.
///
/// Commands read typed values with the declarations themselves, in ``Command/init(arguments:)``:
/// ```
/// let seed = try arguments.value(Self.seed)              // the default when absent
/// let report = try arguments.valueIfPresent(Self.report) // nil when absent
/// let quiet = try arguments.isSet(StandardOptions.quiet)
/// ```
/// Reading a declaration the command did not list in its configuration throws
/// ``CommandLineError/undeclaredArgument(_:)`` (a defect, exit code 70), so that the help
/// text never misses an option.
public struct ParsedArguments: Sendable {
    /// The words that selected the command, tool name first.
    public let commandPath: [String]
    /// The declared specifications, by name.
    private let declared: [String: ArgumentSpecification]
    /// The tokens given for each declared name, in command-line order (flags: one `""` per use).
    private let tokens: [String: [String]]

    /// Creates parsed arguments; ``ArgumentParser`` makes them.
    init(commandPath: [String], specifications: [ArgumentSpecification], tokens: [String: [String]]) {
        self.commandPath = commandPath
        var declared: [String: ArgumentSpecification] = [:]
        for specification in specifications { declared[specification.name] = specification }
        self.declared = declared
        self.tokens = tokens
    }

    // MARK: - Flags

    /// Whether the flag was given.
    /// - Throws: ``CommandLineError/undeclaredArgument(_:)`` when the command does not declare it.
    public func isSet(_ flag: Flag) throws(CommandLineError) -> Bool {
        try !raw(flag.specification).isEmpty
    }

    // MARK: - Options

    /// The option's value, or its default when absent.
    /// - Throws: ``CommandLineError/missingRequiredArgument(_:)`` when absent without a default;
    ///   ``CommandLineError/undeclaredArgument(_:)`` when not declared.
    public func value<Value>(_ option: Option<Value>) throws(CommandLineError) -> Value {
        if let value = try valueIfPresent(option) { return value }
        if let value = option.defaultValue { return value }
        throw .missingRequiredArgument(option.specification.displayName)
    }

    /// The option's value when given, otherwise nil (the default is not applied).
    /// - Throws: ``CommandLineError/invalidValue(option:value:expected:)`` for a bad token;
    ///   ``CommandLineError/undeclaredArgument(_:)`` when not declared.
    public func valueIfPresent<Value>(_ option: Option<Value>) throws(CommandLineError) -> Value? {
        guard let token = try raw(option.specification).last else { return nil }
        return try convert(token, Value.self, option.specification)
    }

    /// The values of a repeated option, in command-line order (empty when absent).
    /// - Throws: As ``valueIfPresent(_:)-(Option<Value>)``.
    public func values<Value>(_ option: RepeatedOption<Value>) throws(CommandLineError) -> [Value] {
        var result: [Value] = []
        for token in try raw(option.specification) {
            result.append(try convert(token, Value.self, option.specification))
        }
        return result
    }

    // MARK: - Positional arguments

    /// The positional argument's value, or its default when absent.
    /// - Throws: ``CommandLineError/missingRequiredArgument(_:)`` when absent without a default;
    ///   ``CommandLineError/undeclaredArgument(_:)`` when not declared.
    public func value<Value>(_ argument: Argument<Value>) throws(CommandLineError) -> Value {
        if let token = try raw(argument.specification).first {
            return try convert(token, Value.self, argument.specification)
        }
        if let value = argument.defaultValue { return value }
        throw .missingRequiredArgument(argument.specification.displayName)
    }

    /// The values of a repeated positional argument, in order (empty when absent).
    /// - Throws: As ``value(_:)-(Argument<Value>)``.
    public func values<Value>(_ argument: RepeatedArgument<Value>) throws(CommandLineError) -> [Value] {
        var result: [Value] = []
        for token in try raw(argument.specification) {
            result.append(try convert(token, Value.self, argument.specification))
        }
        return result
    }

    // MARK: - Helpers

    private func raw(_ specification: ArgumentSpecification) throws(CommandLineError) -> [String] {
        guard declared[specification.name] != nil else { throw .undeclaredArgument(specification.displayName) }
        return tokens[specification.name] ?? []
    }

    private func convert<Value: ArgumentValue>(_ token: String, _ type: Value.Type, _ specification: ArgumentSpecification) throws(CommandLineError) -> Value {
        guard let value = Value(argument: token) else {
            throw .invalidValue(option: specification.displayName, value: token, expected: Value.valueDescription)
        }
        return value
    }
}
