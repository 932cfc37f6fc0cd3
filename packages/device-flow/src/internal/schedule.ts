/**
 * Something the schedule holds: its due time (epoch ms), the order it was scheduled in (ties go first-come, first
 * served) and its place in the heap (-1 when not scheduled).
 */
export interface Scheduled {
  due: number
  order: number
  slot: number
}

const before = (a: Scheduled, b: Scheduled): boolean => a.due < b.due || (a.due === b.due && a.order < b.order)

/**
 * A binary min-heap on absolute due times: the engine's one schedule for every flow. Entries keep their own index,
 * so moving or removing one is O(log n) without a search, and nothing is allocated per operation.
 * @internal
 */
export class Schedule<A extends Scheduled> {
  private readonly heap: Array<A> = []
  private counter = 0

  get size(): number {
    return this.heap.length
  }

  peek(): A | undefined {
    return this.heap[0]
  }

  /** Puts `entry` at `due`, scheduling it or moving it when it is already scheduled. */
  set(entry: A, due: number): void {
    if (entry.slot >= 0 && entry.due === due) return
    entry.order = this.counter++
    if (entry.slot < 0) {
      entry.due = due
      entry.slot = this.heap.length
      this.heap.push(entry)
      this.up(entry.slot)
      return
    }
    const earlier = due < entry.due
    entry.due = due
    if (earlier) this.up(entry.slot)
    else this.down(entry.slot)
  }

  remove(entry: A): void {
    const i = entry.slot
    if (i < 0) return
    entry.slot = -1
    const last = this.heap.pop()!
    if (i === this.heap.length) return
    this.heap[i] = last
    last.slot = i
    this.up(i)
    this.down(last.slot)
  }

  pop(): A | undefined {
    const top = this.heap[0]
    if (top !== undefined) this.remove(top)
    return top
  }

  private up(i: number): void {
    const heap = this.heap
    const entry = heap[i]!
    while (i > 0) {
      const parent = (i - 1) >> 1
      const p = heap[parent]!
      if (!before(entry, p)) break
      heap[i] = p
      p.slot = i
      i = parent
    }
    heap[i] = entry
    entry.slot = i
  }

  private down(i: number): void {
    const heap = this.heap
    const n = heap.length
    const entry = heap[i]!
    while (true) {
      const left = 2 * i + 1
      if (left >= n) break
      const right = left + 1
      const child = right < n && before(heap[right]!, heap[left]!) ? right : left
      const c = heap[child]!
      if (!before(c, entry)) break
      heap[i] = c
      c.slot = i
      i = child
    }
    heap[i] = entry
    entry.slot = i
  }
}
