import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
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
 *
 * Why `tools/list` is remembered: the SDK's McpServer converts every tool's zod input schema to JSON
 * Schema on every `tools/list` (a third of the cost of the call), yet the answer depends on neither the
 * caller nor the request. The first answer the SDK gives is kept and replayed with the caller's id until
 * the SDK itself announces a change (`notifications/tools/list_changed`, sent whenever a tool is added,
 * removed, enabled or disabled). Only a parameterless request is answered from memory; anything with
 * params (a cursor, a malformed value) still goes to the SDK and gets its answer or its error.
 */
/** How long one request may wait for the SDK's answer before the caller gets a JSON-RPC error. */
const REQUEST_DEADLINE_MS = 30_000;

function rpcError(id: RequestId, code: number, message: string): JSONRPCMessage {
  return { jsonrpc: '2.0', id, error: { code, message } } as JSONRPCMessage;
}

export class MultiplexTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;

  private readonly pending = new Map<string, { originalId: RequestId; reply: Reply }>();
  private counter = 0;
  private toolList?: { result: unknown };
  private toolListGeneration = 0;

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.pending.clear();
    this.onclose?.();
  }

  /** Called by the SDK server for every outgoing message. */
  async send(message: JSONRPCMessage): Promise<void> {
    // Structural test instead of the SDK's zod type guards: this runs once per request, and the SDK has
    // just built the message itself.
    if ('id' in message && ('result' in message || 'error' in message)) {
      const key = String(message.id);
      const entry = this.pending.get(key);
      if (!entry) return; // caller went away; nothing to deliver to
      this.pending.delete(key);
      entry.reply({ ...message, id: entry.originalId } as JSONRPCMessage);
      return;
    }
    if ('method' in message && message.method === 'notifications/tools/list_changed') {
      this.toolList = undefined;
      this.toolListGeneration++;
    }
    // Other server-initiated notifications/requests (progress, logging, sampling) need an open SSE
    // stream; this stateless JSON-only endpoint has none, so they are dropped by design.
  }

  /** Delivers one JSON-RPC request and resolves with the server's response (original id restored). */
  async dispatchRequest(request: JSONRPCRequest, extra: MessageExtraInfo): Promise<JSONRPCMessage> {
    const rememberable =
      request.method === 'tools/list' &&
      (request.params === undefined || Object.keys(request.params).length === 0);
    if (rememberable && this.toolList)
      return { jsonrpc: '2.0', id: request.id, result: this.toolList.result } as JSONRPCMessage;
    const generation = this.toolListGeneration;
    const internalId = `mx-${++this.counter}`;
    const reply = await new Promise<JSONRPCMessage>((resolve) => {
      const timer = setTimeout(() => {
        // A handler that never answers must not hold the caller (or this map) forever.
        if (this.pending.delete(internalId)) resolve(rpcError(request.id, -32603, 'The request timed out'));
      }, REQUEST_DEADLINE_MS);
      timer.unref();
      this.pending.set(internalId, {
        originalId: request.id,
        reply: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
      const refused = this.deliver({ ...request, id: internalId }, extra);
      // The SDK's Protocol rejects a message its strict schema does not accept by reporting an error and
      // never answering; answer for it, so the caller gets a JSON-RPC error instead of a hang.
      if (refused && this.pending.delete(internalId)) {
        clearTimeout(timer);
        resolve(rpcError(request.id, -32600, 'Invalid Request'));
      }
    });
    // Kept only if no change was announced while the SDK was answering.
    if (rememberable && 'result' in reply && generation === this.toolListGeneration)
      this.toolList = { result: reply.result };
    return reply;
  }

  /**
   * Delivers a notification (no response expected). `notifications/cancelled` is dropped: its `requestId`
   * names an id in the caller's space, which no longer exists inside the server — and passing it through
   * would let one caller cancel another caller's in-flight request by guessing an internal id.
   */
  dispatchNotification(notification: JSONRPCNotification, extra: MessageExtraInfo): void {
    if (notification.method === 'notifications/cancelled') return;
    this.deliver(notification, extra);
  }

  /**
   * Hands a message to the SDK. The SDK's Protocol first asks "is this a response?" with zod type guards,
   * and for every request those guards FAIL — each failure builds a ZodError, an Error subclass that
   * captures a stack trace, twice per request, only to be dropped. Stack traces are switched off for that
   * synchronous hand-over alone (the handler itself runs later, with normal stacks); nothing the SDK
   * returns to a client carries a stack.
   */
  private deliver(message: JSONRPCMessage, extra: MessageExtraInfo): boolean {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    this.delivering = true;
    this.refusedWhileDelivering = false;
    try {
      this.onmessage?.(message, extra);
    } finally {
      Error.stackTraceLimit = limit;
      this.delivering = false;
    }
    return this.refusedWhileDelivering;
  }

  /**
   * The SDK's Protocol reports a message it cannot classify ("Unknown message type") through its own
   * `onerror`, synchronously inside onmessage, and never answers it. {@link connectMultiplexed} routes
   * that error here, so the request being delivered gets a JSON-RPC error instead of waiting forever.
   */
  noteSdkError(): void {
    if (this.delivering) this.refusedWhileDelivering = true;
  }

  private delivering = false;
  private refusedWhileDelivering = false;
}

/** Connects `mcp` to a new MultiplexTransport, with the SDK's errors routed to it (see noteSdkError). */
export async function connectMultiplexed(mcp: McpServer): Promise<MultiplexTransport> {
  const transport = new MultiplexTransport();
  await mcp.connect(transport);
  const previous = mcp.server.onerror;
  mcp.server.onerror = (error) => {
    transport.noteSdkError();
    previous?.(error);
  };
  return transport;
}
