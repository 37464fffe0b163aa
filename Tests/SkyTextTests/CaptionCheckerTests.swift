import Testing
@testable import SkyText

/// The checker behind the property tests must catch wrong captions, or those tests prove nothing.
@Suite struct CaptionCheckerTests {
    @Test func catchesWrongCountsAgreementAndForm() throws {
        let phrasings = try CaptionPhrasings.standard()
        let checker = CaptionChecker(phrasings: phrasings)
        let naming = RuleBasedClassNaming(phrasings: phrasings)
        let ship = naming.name(for: "ship"), bus = naming.name(for: "bus"), water = naming.name(for: "water")
        let names = [ship, bus, water]
        #expect(checker.quantity(of: ship, in: "There are 3 ships in the picture.") == .exactly(3))
        #expect(checker.quantity(of: bus, in: "A bus and lots of ships.") == .exactly(1))
        #expect(checker.quantity(of: ship, in: "A bus and lots of ships.") == .moreThanTen)
        #expect(checker.quantity(of: water, in: "Some areas of water are in the scene.") == .area(.several))
        #expect(checker.quantity(of: bus, in: "There are 3 ships in the picture.") == nil)
        #expect(!CaptionChecker.matches(.exactly(3), count: 2, isArea: false))
        #expect(!CaptionChecker.matches(.exactly(3), count: 3, isArea: true))
        #expect(!CaptionChecker.matches(.moreThanTen, count: 10, isArea: false))
        #expect(!checker.formProblems("There is 3 ships in the picture.", names: names).isEmpty)
        #expect(!checker.formProblems("A bus and a ship is located in the picture.", names: names).isEmpty)
        #expect(!checker.formProblems("three ships are in the scene.", names: names).isEmpty)
        #expect(!checker.formProblems("Three ships are in the scene", names: names).isEmpty)
        #expect(checker.formProblems("Three ships are in the scene.", names: names).isEmpty)
        #expect(!checker.formProblems("There are a crowd of ships in the picture.", names: names).isEmpty)
        #expect(checker.formProblems("A crowd of ships are in the scene.", names: names).isEmpty)
        #expect(checker.formProblems("There is a bus and 4 ships in the picture.", names: names).isEmpty)
    }
}
