/// `n` and the noun it counts, singular for 1: `counted(1, "plugin")` is "1 plugin",
/// `counted(2, "loss", "losses")` is "2 losses".
public func counted(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
    "\(n) \(n == 1 ? singular : plural ?? singular + "s")"
}
