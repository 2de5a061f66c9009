/** `TransactionEvents { data: Vec<Event> }` (sui-types event.rs) read into the model. */
import type { EventModel } from "../model.ts";
import type { BcsCursor } from "./cursor.ts";
import { readTypeCached } from "./type-tag.ts";

/** Event { package_id, transaction_module, sender, type_: StructTag, contents }. */
export function readEvents(c: BcsCursor): EventModel[] {
  const n = c.length("events", 100);
  const events: EventModel[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const packageId = c.address("events.package_id");
    const module = c.string("events.transaction_module");
    const sender = c.address("events.sender");
    const type = readTypeCached(c, "events.type", true).type;
    const contents = c.byteVector("events.contents");
    events[i] = { packageId, module, sender, type, contents };
  }
  return events;
}
