/**
 * Labels as dtc keeps them (livetree.c add_label / delete_labels): a list with the newest label
 * first, where deleting marks entries instead of removing them, and adding a deleted label again
 * revives it in its old place. `labels` on the model holds the live ones in dtc's list order;
 * the deleted ones wait here until revived.
 */
import type { Node, Property } from './model.js';

interface LabelEntry {
  name: string;
  deleted: boolean;
}

type Owner = Node | Property;

const lists = new WeakMap<Owner, LabelEntry[]>();

function entries(owner: Owner): LabelEntry[] {
  let list = lists.get(owner);
  if (!list) {
    list = owner.labels.map((name) => ({ name, deleted: false }));
    lists.set(owner, list);
  }
  return list;
}

function sync(owner: Owner, list: LabelEntry[]): void {
  owner.labels = list.filter((e) => !e.deleted).map((e) => e.name);
}

/** `add_label`: revive the label if present (even deleted), else put it first. Returns true when new. */
export function addLabel(owner: Owner, name: string): boolean {
  if (!lists.has(owner)) {
    // fast path: no deleted labels were ever recorded for this owner
    if (owner.labels.includes(name)) return false;
    owner.labels.unshift(name);
    return true;
  }
  const list = entries(owner);
  const found = list.find((e) => e.name === name);
  if (found) {
    found.deleted = false;
    sync(owner, list);
    return false;
  }
  list.unshift({ name, deleted: false });
  sync(owner, list);
  return true;
}

/** `delete_labels`: every label of the owner is marked deleted. */
export function deleteLabels(owner: Owner): void {
  if (owner.labels.length === 0 && !lists.has(owner)) return;
  const list = entries(owner);
  for (const e of list) e.deleted = true;
  sync(owner, list);
}

/** Labels including deleted ones, in list order (`for_each_label_withdel`). */
export function labelsWithDeleted(owner: Owner): string[] {
  const list = lists.get(owner);
  return list ? list.map((e) => e.name) : [...owner.labels];
}
