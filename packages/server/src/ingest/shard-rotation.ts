/**
 * Hands out the queue shards in turn, one per flush, so that the load
 * spreads evenly over them (docs/product.md#shards-and-redis-cluster).
 */
export class ShardRotation<S> {
  private index = 0;

  constructor(readonly shards: readonly S[]) {
    if (shards.length === 0) throw new RangeError('ShardRotation: at least one shard');
  }

  /** The shard the next flush goes to. */
  next(): S {
    return this.shards[this.index++ % this.shards.length] as S;
  }
}
