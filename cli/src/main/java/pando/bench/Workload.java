package pando.bench;

/** The operation mix of a run, named as in YCSB's core workloads. */
public enum Workload {
  A("50% reads, 50% updates", 0.50),
  B("95% reads, 5% updates", 0.95),
  C("100% reads", 1.00),
  W("100% updates", 0.00);

  private final String description;
  private final double readFraction;

  Workload(String description, double readFraction) {
    this.description = description;
    this.readFraction = readFraction;
  }

  public String description() {
    return description;
  }

  /** True if the operation drawn with {@code u} in [0, 1) is a read. */
  public boolean isRead(double u) {
    return u < readFraction;
  }
}
