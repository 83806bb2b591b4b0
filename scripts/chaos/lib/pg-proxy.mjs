import { createServer, connect } from 'node:net';

// A TCP proxy between the workers and PostgreSQL, one listening port per worker, so a fault can hit one
// worker (cut off from the database while the others carry on) or all of them. Faults:
//   drop       every open connection is reset, on both sides (a restarted router, a killed pooler)
//   blackhole  connections stay open, but nothing passes either way; new ones are accepted and never
//              answered (a dead link without resets). Healing lets the held bytes through.
//   partition  the worker's side is reset, PostgreSQL's side stays open and silent (the worker's machine
//              vanished: the backend keeps its transaction and its locks until something times it out);
//              healing closes the server side, as TCP keepalive eventually would.
//   refuse     open connections are reset and new ones are reset as soon as they arrive (a server that is
//              down, or a firewall rejecting). The port keeps listening: closed, it could be handed to another
//              listener by the system before it reopens.
// Bytes are forwarded by hand rather than piped, so a blackhole can hold them without a pipe resuming them.

export class PgProxy {
  constructor(upstream) {
    this.upstream = upstream;
    this.listeners = new Map();
  }

  /** Opens a port for `name`; returns it. */
  async open(name) {
    const l = { name, port: 0, server: null, conns: new Set(), mode: 'pass', orphans: new Set() };
    this.listeners.set(name, l);
    await this.#listen(l);
    return l.port;
  }

  async #listen(l) {
    l.server = createServer((client) => this.#accept(l, client));
    l.server.on('error', () => {});
    await new Promise((resolve, reject) => {
      l.server.once('error', reject);
      l.server.listen(l.port, '127.0.0.1', () => {
        l.server.off('error', reject);
        resolve();
      });
    });
    l.port = l.server.address().port;
  }

  #accept(l, client) {
    if (l.mode === 'refuse') {
      client.on('error', () => {});
      client.resetAndDestroy();
      return;
    }
    const conn = { client, server: null, held: l.mode === 'blackhole', toServer: [], toClient: [] };
    l.conns.add(conn);
    client.setNoDelay(true);
    client.on('error', () => {});
    const server = connect(this.upstream.port, this.upstream.host);
    conn.server = server;
    server.setNoDelay(true);
    server.on('error', () => {});
    client.on('data', (chunk) => (conn.held ? conn.toServer.push(chunk) : server.write(chunk)));
    server.on('data', (chunk) => (conn.held ? conn.toClient.push(chunk) : client.write(chunk)));
    client.on('close', () => {
      l.conns.delete(conn);
      if (!conn.orphaned) server.destroy();
    });
    server.on('close', () => {
      l.conns.delete(conn);
      l.orphans.delete(conn);
      client.destroy();
    });
  }

  #targets(name) {
    return name === undefined ? [...this.listeners.values()] : [this.listeners.get(name)].filter(Boolean);
  }

  /** Open connections of `name` (or of all). */
  connections(name) {
    return this.#targets(name).reduce((n, l) => n + l.conns.size, 0);
  }

  drop(name) {
    let n = 0;
    for (const l of this.#targets(name)) {
      for (const c of [...l.conns]) {
        c.client.resetAndDestroy();
        c.server.destroy();
        n++;
      }
    }
    return n;
  }

  blackhole(name) {
    for (const l of this.#targets(name)) {
      l.mode = 'blackhole';
      for (const c of l.conns) c.held = true;
    }
  }

  partition(name) {
    for (const l of this.#targets(name)) {
      l.mode = 'blackhole';
      for (const c of [...l.conns]) {
        c.held = true;
        c.orphaned = true;
        l.orphans.add(c);
        c.client.resetAndDestroy();
      }
    }
  }

  refuse(name) {
    for (const l of this.#targets(name)) {
      l.mode = 'refuse';
      for (const c of [...l.conns]) {
        c.client.resetAndDestroy();
        c.server.destroy();
      }
    }
  }

  /** Ends any fault on `name` (or on all): held bytes flow, orphans close, new connections pass. */
  heal(name) {
    for (const l of this.#targets(name)) {
      l.mode = 'pass';
      for (const c of l.orphans) c.server.destroy();
      l.orphans.clear();
      for (const c of l.conns) {
        if (!c.held) continue;
        c.held = false;
        for (const chunk of c.toServer.splice(0)) c.server.write(chunk);
        for (const chunk of c.toClient.splice(0)) c.client.write(chunk);
      }
    }
  }

  /** Forgets `name`: its port closes and its connections go. */
  async close(name) {
    const l = this.listeners.get(name);
    if (!l) return;
    this.listeners.delete(name);
    for (const c of [...l.conns, ...l.orphans]) {
      c.client.destroy();
      c.server.destroy();
    }
    await new Promise((resolve) => l.server.close(() => resolve()));
  }

  async closeAll() {
    for (const name of [...this.listeners.keys()]) await this.close(name);
  }
}
