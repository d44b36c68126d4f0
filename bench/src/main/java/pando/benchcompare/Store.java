package pando.benchcompare;

/** The stores compared, in the order their rows are printed. */
enum Store {
  PANDO("pando"),
  ETCD("etcd");

  private final String label;

  Store(String label) {
    this.label = label;
  }

  String label() {
    return label;
  }
}
