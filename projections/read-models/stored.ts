import type { PlatformEventOf, PlatformEventType } from '../../domain/events/catalog.ts';

/**
 * A read model's document as the store gives it back: the content its projection writes (`Content`), with the id and
 * the log position `writeDocument` adds (`POSITION_FIELD`). One projection writes each collection, so its documents
 * have that shape, and their readers (the GraphQL resolvers) read typed fields: renaming one fails the typecheck
 * where it is read.
 */
export type Stored<Content> = Content & { _id: string; _position: string };

/** The data of one type of event, as a document copies parts of it. */
export type EventDataOf<Type extends PlatformEventType> = PlatformEventOf<Type>['data'];
