/**
 * A character trie of package names in flat typed arrays (first-child / next-sibling lists), so that
 * a registry's names cost no object per node. It answers the three name questions
 * the indexed search asks:
 * - `get(name)`: the exact name;
 * - `fuzzy(query, k, ...)`: every name within k edits (optimal string alignment: insert, delete,
 *   substitute, swap two neighbours), found by walking the trie with one row of the edit-distance
 *   table per depth and abandoning a branch as soon as its row minimum exceeds k;
 * - `topByWeight(node, n)`: the n heaviest (most downloaded) names under a prefix, best-first
 *   guided by the maximum weight kept for every subtree.
 * Inserts and removals are incremental (no rebuild); removed nodes stay as empty branches, which
 * the subtree counts and weights make invisible.
 */

const NONE = -1;

export interface FuzzyVisitor {
  /** A whole name within k edits. */
  onName(doc: number, distance: number): void;
}

export class NameTrie {
  private cap = 1024;
  private count = 1; // node 0 is the root
  private firstChild = new Int32Array(this.cap).fill(NONE);
  private nextSibling = new Int32Array(this.cap).fill(NONE);
  private parent = new Int32Array(this.cap).fill(NONE);
  private char = new Uint16Array(this.cap);
  private doc = new Int32Array(this.cap).fill(NONE);
  private weight = new Float64Array(this.cap);
  /** Heaviest weight of any name in the subtree (for best-first prefix completion). */
  private maxWeight = new Float64Array(this.cap).fill(-1);
  /** Names in the subtree (for the total of a prefix search without enumerating it). */
  private names = new Int32Array(this.cap);
  // Scratch for fuzzy(): one edit-distance row per depth, and the path's characters.
  private rows: Int32Array[] = [];
  private pathChars = new Uint16Array(256);

  get nodeCount(): number {
    return this.count;
  }

  /** Bytes held by the typed arrays (for the benchmark's memory figure). */
  get bytes(): number {
    return this.cap * (4 * 5 + 2 + 8 * 2);
  }

  private grow(): void {
    const cap = this.cap * 2;
    const i32 = (a: Int32Array, fill?: number) => {
      const b = new Int32Array(cap);
      if (fill !== undefined) b.fill(fill, a.length);
      b.set(a);
      return b;
    };
    this.firstChild = i32(this.firstChild, NONE);
    this.nextSibling = i32(this.nextSibling, NONE);
    this.parent = i32(this.parent, NONE);
    this.doc = i32(this.doc, NONE);
    this.names = i32(this.names);
    const c = new Uint16Array(cap);
    c.set(this.char);
    this.char = c;
    const w = new Float64Array(cap);
    w.set(this.weight);
    this.weight = w;
    const m = new Float64Array(cap).fill(-1);
    m.set(this.maxWeight);
    this.maxWeight = m;
    this.cap = cap;
  }

  private child(node: number, ch: number): number {
    for (let c = this.firstChild[node]!; c !== NONE; c = this.nextSibling[c]!) if (this.char[c] === ch) return c;
    return NONE;
  }

  /** The node whose path spells `prefix`, or -1. */
  node(prefix: string): number {
    let n = 0;
    for (let i = 0; i < prefix.length && n !== NONE; i++) n = this.child(n, prefix.charCodeAt(i));
    return n;
  }

  get(name: string): number {
    const n = this.node(name);
    return n === NONE ? NONE : this.doc[n]!;
  }

  /** Adds or re-points `name` to `doc` with `weight`. */
  set(name: string, doc: number, weight: number): void {
    let n = 0;
    const path: number[] = [0];
    for (let i = 0; i < name.length; i++) {
      const ch = name.charCodeAt(i);
      let c = this.child(n, ch);
      if (c === NONE) {
        if (this.count === this.cap) this.grow();
        c = this.count++;
        this.char[c] = ch;
        this.parent[c] = n;
        this.nextSibling[c] = this.firstChild[n]!;
        this.firstChild[n] = c;
      }
      n = c;
      path.push(n);
    }
    const isNew = this.doc[n] === NONE;
    this.doc[n] = doc;
    this.weight[n] = weight;
    if (isNew) for (const p of path) this.names[p]!++;
    this.refreshUp(n);
  }

  delete(name: string): void {
    const n = this.node(name);
    if (n === NONE || this.doc[n] === NONE) return;
    this.doc[n] = NONE;
    this.weight[n] = 0;
    for (let p = n; p !== NONE; p = this.parent[p]!) this.names[p]!--;
    this.refreshUp(n);
  }

  /** Recomputes maxWeight from `n` up to the root, stopping early when nothing changes. */
  private refreshUp(n: number): void {
    for (let p = n; p !== NONE; p = this.parent[p]!) {
      let m = this.doc[p] !== NONE ? this.weight[p]! : -1;
      for (let c = this.firstChild[p]!; c !== NONE; c = this.nextSibling[c]!) if (this.maxWeight[c]! > m) m = this.maxWeight[c]!;
      if (m === this.maxWeight[p] && p !== n) return;
      this.maxWeight[p] = m;
    }
  }

  /** Names under `node` (including itself). */
  namesUnder(node: number): number {
    return node === NONE ? 0 : this.names[node]!;
  }

  /**
   * The heaviest names under `node`, heaviest first: at least `n` of them, plus every further name
   * tied with the n-th, so that ties are cut by the caller's total order and never by trie layout.
   */
  topByWeight(node: number, n: number, out: number[] = []): number[] {
    if (node === NONE || n <= 0 || this.names[node] === 0) return out;
    // A max-heap of entries: a node (keyed by its subtree max) or a name (keyed by its weight).
    const keys: number[] = [];
    const ids: number[] = []; // node id, or ~doc node id for "the name at this node"
    const push = (key: number, id: number) => {
      let i = keys.length;
      keys.push(key);
      ids.push(id);
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (keys[p]! >= key) break;
        keys[i] = keys[p]!;
        ids[i] = ids[p]!;
        i = p;
      }
      keys[i] = key;
      ids[i] = id;
    };
    const pop = (): number => {
      const top = ids[0]!;
      const lastKey = keys.pop()!;
      const lastId = ids.pop()!;
      if (keys.length > 0) {
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          if (l >= keys.length) break;
          const r = l + 1;
          const c = r < keys.length && keys[r]! > keys[l]! ? r : l;
          if (keys[c]! <= lastKey) break;
          keys[i] = keys[c]!;
          ids[i] = ids[c]!;
          i = c;
        }
        keys[i] = lastKey;
        ids[i] = lastId;
      }
      return top;
    };
    push(this.maxWeight[node]!, node);
    let taken = 0;
    let cutoff = -Infinity;
    while (keys.length > 0) {
      if (taken >= n && keys[0]! < cutoff) break;
      const id = pop();
      if (id < 0) {
        const at = ~id;
        out.push(this.doc[at]!);
        taken++;
        if (taken === n) cutoff = this.weight[at]!;
        continue;
      }
      if (this.doc[id] !== NONE) push(this.weight[id]!, ~id);
      for (let c = this.firstChild[id]!; c !== NONE; c = this.nextSibling[c]!) if (this.names[c]! > 0) push(this.maxWeight[c]!, c);
    }
    return out;
  }

  /** Every name under `node` (for filtered searches, which must count only what passes the filter). */
  forEachUnder(node: number, fn: (doc: number) => void): void {
    if (node === NONE) return;
    const stack = [node];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (this.doc[n] !== NONE) fn(this.doc[n]!);
      for (let c = this.firstChild[n]!; c !== NONE; c = this.nextSibling[c]!) if (this.names[c]! > 0) stack.push(c);
    }
  }

  /**
   * Every name within `k` edits of `query` (optimal string alignment distance). The walk keeps one
   * row of the distance table per depth and leaves a branch once no cell of its row is ≤ k, so the
   * work depends on how many name prefixes lie within k edits of a query prefix, not on the index size.
   */
  fuzzy(query: string, k: number, visitor: FuzzyVisitor): void {
    const m = query.length;
    const q = new Uint16Array(m);
    for (let j = 0; j < m; j++) q[j] = query.charCodeAt(j);
    const maxDepth = m + k;
    while (this.rows.length <= maxDepth + 1) this.rows.push(new Int32Array(0));
    for (let d = 0; d <= maxDepth; d++) if (this.rows[d]!.length < m + 1) this.rows[d] = new Int32Array(Math.max(m + 1, 64));
    if (this.pathChars.length < maxDepth + 2) this.pathChars = new Uint16Array(maxDepth + 2);
    const row0 = this.rows[0]!;
    for (let j = 0; j <= m; j++) row0[j] = j;
    // Locals, not this.x, in the hot loop: the engine cannot assume the arrays stay the same.
    const firstChild = this.firstChild;
    const nextSibling = this.nextSibling;
    const chars = this.char;
    const docs = this.doc;
    const names = this.names;
    const rows = this.rows;
    const pathChars = this.pathChars;
    // Depth-first with an explicit stack of (node, depth).
    let stackNode = new Int32Array(1024);
    let stackDepth = new Int32Array(1024);
    let top = 0;
    const push = (node: number, depth: number) => {
      if (top === stackNode.length) {
        const n2 = new Int32Array(top * 2);
        n2.set(stackNode);
        stackNode = n2;
        const d2 = new Int32Array(top * 2);
        d2.set(stackDepth);
        stackDepth = d2;
      }
      stackNode[top] = node;
      stackDepth[top] = depth;
      top++;
    };
    for (let c = firstChild[0]!; c !== NONE; c = nextSibling[c]!) if (names[c]! > 0) push(c, 1);
    while (top > 0) {
      top--;
      const n = stackNode[top]!;
      const i = stackDepth[top]!;
      const ch = chars[n]!;
      pathChars[i] = ch;
      const prev = rows[i - 1]!;
      const row = rows[i]!;
      const prev2 = i >= 2 ? rows[i - 2]! : undefined;
      const prevCh = i >= 2 ? pathChars[i - 1]! : 0;
      // Only cells within k of the diagonal can be ≤ k; the band's neighbours are fenced with k + 1.
      const lo = i - k > 1 ? i - k : 1;
      const hi = i + k < m ? i + k : m;
      row[0] = i;
      if (lo > 1) row[lo - 1] = k + 1;
      let rowMin = i;
      for (let j = lo; j <= hi; j++) {
        const qj = q[j - 1]!;
        let v = prev[j - 1]! + (qj === ch ? 0 : 1);
        const del = prev[j]! + 1;
        if (del < v) v = del;
        const ins = row[j - 1]! + 1;
        if (ins < v) v = ins;
        if (prev2 !== undefined && j >= 2 && qj === prevCh && q[j - 2] === ch && qj !== ch) {
          const swap = prev2[j - 2]! + 1;
          if (swap < v) v = swap;
        }
        row[j] = v;
        if (v < rowMin) rowMin = v;
      }
      if (hi < m) row[hi + 1] = k + 1;
      if (rowMin > k) continue;
      if (docs[n] !== NONE && hi === m && row[m]! <= k) visitor.onName(docs[n]!, row[m]!);
      if (i >= maxDepth) continue;
      for (let c = firstChild[n]!; c !== NONE; c = nextSibling[c]!) if (names[c]! > 0) push(c, i + 1);
    }
  }
}
