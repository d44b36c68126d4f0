package pando.node;

import io.grpc.Attributes;
import io.grpc.BindableService;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.io.InputStream;

/**
 * Serves a gRPC service so that a request whose body is not a valid message of its method is
 * answered {@code INVALID_ARGUMENT}, nothing done. gRPC parses a body before any handler or
 * interceptor runs, and answers a body it cannot parse with {@code UNKNOWN} ("Application error
 * processing RPC") and a logged stack trace; the API documents {@code UNKNOWN} on a write as "may
 * have been applied", which would be untrue. So each method takes the raw body, and the body is
 * parsed inside the call, where a failure can be answered as what it is.
 */
public final class MalformedRequests {
  private static final MethodDescriptor.Marshaller<InputStream> RAW_BODY = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(InputStream body) {
      return body;
    }

    @Override
    public InputStream parse(InputStream body) {
      // As it comes: gRPC hands it to ParsingListener.onMessage at once and closes it after.
      return body;
    }
  };

  private MalformedRequests() {}

  /** {@code service} with every method answering a malformed body INVALID_ARGUMENT. */
  public static ServerServiceDefinition refusedIn(BindableService service) {
    ServerServiceDefinition typed = service.bindService();
    ServerServiceDefinition.Builder raw = ServerServiceDefinition.builder(typed.getServiceDescriptor().getName());
    for (ServerMethodDefinition<?, ?> method : typed.getMethods()) {
      raw.addMethod(parsedInCall(method));
    }
    return raw.build();
  }

  private static <ReqT, RespT> ServerMethodDefinition<InputStream, RespT> parsedInCall(
      ServerMethodDefinition<ReqT, RespT> method) {
    MethodDescriptor<ReqT, RespT> typed = method.getMethodDescriptor();
    MethodDescriptor<InputStream, RespT> raw = typed.toBuilder(RAW_BODY, typed.getResponseMarshaller()).build();
    return ServerMethodDefinition.create(raw, (call, headers) -> new ParsingListener<>(call, typed,
        method.getServerCallHandler().startCall(new TypedCall<>(call, typed), headers)));
  }

  /** The name of a method's request message, as its .proto spells it. */
  private static String requestMessageName(MethodDescriptor<?, ?> method) {
    if (method.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> prototyped
        && prototyped.getMessagePrototype() instanceof com.google.protobuf.Message message) {
      return message.getDescriptorForType().getFullName();
    }
    return "request";
  }

  /** Parses each body before the method's own listener sees it. Calls arrive one at a time. */
  private static final class ParsingListener<ReqT, RespT> extends ServerCall.Listener<InputStream> {
    private final ServerCall<InputStream, RespT> call;
    private final MethodDescriptor<ReqT, RespT> method;
    private final ServerCall.Listener<ReqT> handler;
    private boolean refused;

    ParsingListener(ServerCall<InputStream, RespT> call, MethodDescriptor<ReqT, RespT> method,
        ServerCall.Listener<ReqT> handler) {
      this.call = call;
      this.method = method;
      this.handler = handler;
    }

    @Override
    public void onMessage(InputStream body) {
      if (refused) {
        return;
      }
      ReqT request;
      try {
        request = method.parseRequest(body);
      } catch (RuntimeException e) {
        refused = true;
        call.close(Status.INVALID_ARGUMENT.withDescription("the request body is not a valid "
            + requestMessageName(method) + " message, so nothing was done; encode the request with"
            + " the protocol buffer definitions of Pando's API"), new Metadata());
        return;
      }
      handler.onMessage(request);
    }

    @Override
    public void onHalfClose() {
      if (!refused) {
        handler.onHalfClose();
      }
    }

    @Override
    public void onReady() {
      if (!refused) {
        handler.onReady();
      }
    }

    @Override
    public void onCancel() {
      handler.onCancel();
    }

    @Override
    public void onComplete() {
      handler.onComplete();
    }
  }

  /** The call as the method's own handler expects it: typed requests, the typed descriptor. */
  private static final class TypedCall<ReqT, RespT> extends ServerCall<ReqT, RespT> {
    private final ServerCall<InputStream, RespT> raw;
    private final MethodDescriptor<ReqT, RespT> method;

    TypedCall(ServerCall<InputStream, RespT> raw, MethodDescriptor<ReqT, RespT> method) {
      this.raw = raw;
      this.method = method;
    }

    @Override
    public void request(int numMessages) {
      raw.request(numMessages);
    }

    @Override
    public void sendHeaders(Metadata headers) {
      raw.sendHeaders(headers);
    }

    @Override
    public void sendMessage(RespT message) {
      raw.sendMessage(message);
    }

    @Override
    public boolean isReady() {
      return raw.isReady();
    }

    @Override
    public void close(Status status, Metadata trailers) {
      raw.close(status, trailers);
    }

    @Override
    public boolean isCancelled() {
      return raw.isCancelled();
    }

    @Override
    public void setMessageCompression(boolean enabled) {
      raw.setMessageCompression(enabled);
    }

    @Override
    public void setCompression(String compressor) {
      raw.setCompression(compressor);
    }

    @Override
    public void setOnReadyThreshold(int numBytes) {
      raw.setOnReadyThreshold(numBytes);
    }

    @Override
    public SecurityLevel getSecurityLevel() {
      return raw.getSecurityLevel();
    }

    @Override
    public Attributes getAttributes() {
      return raw.getAttributes();
    }

    @Override
    public String getAuthority() {
      return raw.getAuthority();
    }

    @Override
    public MethodDescriptor<ReqT, RespT> getMethodDescriptor() {
      return method;
    }
  }
}
