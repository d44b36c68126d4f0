package pando.maelstrom.check;

import java.util.Objects;

/**
 * The sequential specification of one key: a register holding a {@link Long}, or {@code null}
 * while the key does not exist.
 */
final class RegisterModel {
  private RegisterModel() {}

  /** Whether {@code op}, taking effect when the register holds {@code state}, is legal. */
  static boolean allows(Long state, Op op) {
    return switch (op.f()) {
      // An ok read must return what is there; reads that ended info or fail never get here.
      case READ -> Objects.equals(op.value(), state);
      case WRITE -> true;
      // A cas that took effect succeeded, so the key existed and held the expected value.
      case CAS -> state != null && state.equals(op.expected());
    };
  }

  /** The register after {@code op} took effect; only meaningful if {@link #allows} holds. */
  static Long apply(Long state, Op op) {
    return switch (op.f()) {
      case READ -> state;
      case WRITE, CAS -> op.value();
    };
  }
}
