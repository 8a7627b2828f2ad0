import XCTest
final class LossKitTestsPlaceholder: XCTestCase { func testNothing() {} }
