import Testing
import AttuneCore

@Suite struct TextTableTests {
    @Test func columnsAreAlignedUnderTheirHeaders() {
        var table = TextTable(columns: [.init("policy"), .init("mean_reward", alignment: .right), .init("n", alignment: .right)])
        table.append(["linucb", TextTable.number(0.1234, digits: 3), "12"])
        table.append(["epsilon_greedy", TextTable.number(-0.05, digits: 3)])
        #expect(table.rendered() == """
        policy          mean_reward   n
        --------------  -----------  --
        linucb                0.123  12
        epsilon_greedy       -0.050

        """)
    }

    @Test(arguments: [(0.1234, 3, "0.123"), (2.5, 0, "3"), (-2.5, 0, "-3"), (1.0 / 3, 2, "0.33"), (.nan, 2, "nan"), (-.infinity, 2, "-inf"), (-0.0001, 2, "0.00"), (1e14, 12, "100000000000000.0"), (1e300, 2, "1e+300")])
    func numbersHaveFixedDecimals(value: Double, digits: Int, expected: String) {
        #expect(TextTable.number(value, digits: digits) == expected)
    }
}
