import SkyText
import Testing

/// Raw dataset class names become plain lower-case English.
@Suite struct ClassNameCleaningTests {
    @Test(arguments: [
        ("small-vehicle", "small vehicle"),
        ("Expressway-Service-area", "expressway service area"),
        ("ground_track_field", "ground track field"),
        ("baseballfield", "baseballfield"),
        ("storageTank", "storage tank"),
        ("  plane ", "plane"),
        ("roundabout/circle", "roundabout circle"),
    ])
    func cleans(raw: String, expected: String) {
        #expect(ClassNameCleaning.clean(raw) == expected)
    }
}
