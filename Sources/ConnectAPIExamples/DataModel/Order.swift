/// An order as a connector's own Swift model might hold it: the data the data-model examples turn into
/// Connect values (``OrderSchemas``).
public struct Order: Sendable, Hashable {
    /// One line of an order.
    public struct Item: Sendable, Hashable {
        /// The article's stock-keeping unit.
        public var sku: String
        /// How many units.
        public var quantity: Int32
        /// The price of one unit, in cents.
        public var unitPriceCents: Int64

        /// Creates a line.
        public init(sku: String, quantity: Int32, unitPriceCents: Int64) {
            self.sku = sku
            self.quantity = quantity
            self.unitPriceCents = unitPriceCents
        }
    }

    /// The order's number.
    public var id: Int64
    /// The street of the shipping address.
    public var street: String
    /// The city of the shipping address.
    public var city: String
    /// The postcode of the shipping address, if known.
    public var postcode: String?
    /// The lines.
    public var items: [Item]
    /// Free-form attributes, if any.
    public var attributes: [String: String]?
    /// The sales channel; `nil` means the schema's default, `web`.
    public var channel: String?
    /// When the order was placed, in milliseconds since the Unix epoch.
    public var placedAtMillis: Int64

    /// Creates an order.
    public init(
        id: Int64,
        street: String,
        city: String,
        postcode: String? = nil,
        items: [Item],
        attributes: [String: String]? = nil,
        channel: String? = nil,
        placedAtMillis: Int64
    ) {
        self.id = id
        self.street = street
        self.city = city
        self.postcode = postcode
        self.items = items
        self.attributes = attributes
        self.channel = channel
        self.placedAtMillis = placedAtMillis
    }

    /// The order's total, in cents.
    public var totalCents: Int64 {
        items.reduce(0) { $0 + Int64($1.quantity) * $1.unitPriceCents }
    }
}
