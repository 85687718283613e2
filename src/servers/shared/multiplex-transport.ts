import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  isJSONRPCErrorResponse,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type JSONRPCRequest,
  type MessageExtraInfo,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';

type Reply = (message: JSONRPCMessage) => void;

/**
 * A transport that lets ONE long-lived MCP `Server` answer many independent HTTP requests (stateless
 * Streamable HTTP). The SDK's own stateless mode builds a new Server (and a new JSON-schema validator) per
 * request, which costs about half the throughput; here the server is built once.
 *
 * Why the id rewriting: two callers may both send `{"id": 1}` at the same moment. The SDK's Protocol keys
 * in-flight requests by id, and the server's reply carries only that id — so each incoming request gets a
 * unique internal id, and the reply is mapped back to the caller's original id and delivered to that
 * caller's HTTP response only. A reply can never reach another caller because the internal id is never
 * reused.
 */
export class MultiplexTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;

  private readonly pending = new Map<string, { originalId: RequestId; reply: Reply }>();
  private counter = 0;

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.pending.clear();
    this.onclose?.();
  }

  /** Called by the SDK server for every outgoing message. */
  async send(message: JSONRPCMessage): Promise<void> {
    if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) {
      const key = String(message.id);
      const entry = this.pending.get(key);
      if (!entry) return; // caller went away; nothing to deliver to
      this.pending.delete(key);
      entry.reply({ ...message, id: entry.originalId } as JSONRPCMessage);
    }
    // Server-initiated notifications/requests (progress, logging, sampling) need an open SSE stream;
    // this stateless JSON-only endpoint has none, so they are dropped by design.
  }

  /** Delivers one JSON-RPC request and resolves with the server's response (original id restored). */
  dispatchRequest(request: JSONRPCRequest, extra: MessageExtraInfo): Promise<JSONRPCMessage> {
    const internalId = `mx-${++this.counter}`;
    return new Promise<JSONRPCMessage>((resolve) => {
      this.pending.set(internalId, { originalId: request.id, reply: resolve });
      this.onmessage?.({ ...request, id: internalId }, extra);
    });
  }

  /**
   * Delivers a notification (no response expected). `notifications/cancelled` is dropped: its `requestId`
   * names an id in the caller's space, which no longer exists inside the server — and passing it through
   * would let one caller cancel another caller's in-flight request by guessing an internal id.
   */
  dispatchNotification(notification: JSONRPCNotification, extra: MessageExtraInfo): void {
    if (notification.method === 'notifications/cancelled') return;
    this.onmessage?.(notification, extra);
  }
}
