import Testing
import SkyText

@Suite("Class tables")
struct ClassTableTests {
    @Test("every table in Schemas/classes loads and has singular and plural for each name")
    func tablesLoad() throws {
        let table = try ClassTable.load()
        let names = table.families.map(\.name)
        #expect(names.contains("dota"))
        #expect(names.contains("dior"))
        #expect(names.contains("visdrone"))
        for family in table.families {
            #expect(!family.classes.isEmpty, "\(family.name) is empty")
            for (raw, clean) in family.classes {
                #expect(!clean.singular.isEmpty && !clean.plural.isEmpty, "\(family.name): \(raw)")
                #expect(clean.singular == clean.singular.trimmingCharacters(in: .whitespaces))
            }
        }
    }

    @Test("the issue's examples map to clean English", arguments: [
        ("small-vehicle", "dota", "small vehicle", "small vehicles"),
        ("baseballfield", "DIOR", "baseball field", "baseball fields"),
        ("Expressway-Service-area", "dior-r", "expressway service area", "expressway service areas"),
        ("Small_Vehicle", "iSAID", "small vehicle", "small vehicles"),
        ("4", "VisDrone2019-DET", "car", "cars"),
        ("2", "visdrone", "person", "people"),
        ("10", "NWPU VHR-10", "vehicle", "vehicles"),
        ("storagetank", "dior", "storage tank", "storage tanks"),
        ("low_vegetation", "potsdam", "low vegetation area", "low vegetation areas"),
    ])
    func knownNames(raw: String, dataset: String, singular: String, plural: String) {
        let name = ClassTable.standard.name(raw: raw, dataset: dataset)
        #expect(name == ClassName(singular: singular, plural: plural))
    }

    @Test("names no table knows fall back to cleaning and a regular plural")
    func fallback() {
        let table = ClassTable.standard
        #expect(table.name(raw: "Gas_Station", dataset: "unknown") == ClassName(singular: "gas station", plural: "gas stations"))
        #expect(table.name(raw: "factory") == ClassName(singular: "factory", plural: "factories"))
        #expect(table.name(raw: "box") == ClassName(singular: "box", plural: "boxes"))
        #expect(table.name(raw: "wind-turbine").plural == "wind turbines")
        // Numeric ids are only answered by the dataset's own table.
        #expect(table.name(raw: "4", dataset: "mystery").singular == "4")
    }

    @Test("dataset names pick the family with the longest matching prefix")
    func familyMatching() {
        let table = ClassTable.standard
        #expect(table.family(forDataset: "DOTA-v1.5")?.name == "dota")
        #expect(table.family(forDataset: "vaihingen")?.name == "isprs")
        #expect(table.family(forDataset: "Stanford Drone")?.name == "sdd")
        #expect(table.family(forDataset: "coco") == nil)
    }

    @Test("plurals of single words")
    func plurals() {
        #expect(ClassTable.pluralize("bus") == "buses")
        #expect(ClassTable.pluralize("harbor") == "harbors")
        #expect(ClassTable.pluralize("golf cart") == "golf carts")
        #expect(ClassTable.pluralize("key") == "keys")
        #expect(ClassTable.pluralize("person") == "people")
    }
}
