import { NotFoundError, UsageError } from '../errors.js';
import { checkAlias, checkModelName, PROTECTED_ALIASES, RESERVED_ALIASES, formatRef } from '../refs.js';
import { appendEvent } from '../audit/chain.js';
import { resolveRef, requireModel } from './resolve.js';
import { parseTags } from './tags.js';
import type { Registry } from '../../ports/registry.js';
import type { Clock } from '../../ports/clock.js';

export interface MutateContext {
  registry: Registry;
  clock: Clock;
  actor: string;
}

function checkSettableAlias(alias: string): void {
  checkAlias(alias);
  if (RESERVED_ALIASES.has(alias)) throw new UsageError(`'${alias}' is reserved: it always means the highest version`);
  if (PROTECTED_ALIASES.has(alias)) {
    throw new UsageError(
      `'${alias}' is protected: it moves only through 'mlctl promote' or 'mlctl rollback', so production changes are gated and recorded`,
    );
  }
}

export async function setAlias(ctx: MutateContext, ref: string, alias: string) {
  checkSettableAlias(alias);
  const v = await resolveRef(ctx.registry, ref);
  if (v.status === 'archived')
    throw new UsageError(`${formatRef(v)} is archived; an alias must point at a live version`);
  return ctx.registry.write(async () => {
    const at = ctx.clock.now().toISOString();
    const { previous } = await ctx.registry.setAlias(v.model, alias, v.id, at, ctx.actor);
    await appendEvent(ctx.registry, {
      at,
      actor: ctx.actor,
      action: 'alias.set',
      model: v.model,
      subject: formatRef(v),
      payload: { alias, previous },
    });
    return { model: v.model, alias, version: v.version, previous };
  });
}

export async function removeAlias(ctx: MutateContext, model: string, alias: string) {
  checkModelName(model);
  checkSettableAlias(alias);
  await requireModel(ctx.registry, model);
  return ctx.registry.write(async () => {
    const at = ctx.clock.now().toISOString();
    const { previous } = await ctx.registry.removeAlias(model, alias);
    if (previous === null) throw new NotFoundError(`${model} has no alias ${JSON.stringify(alias)}`);
    await appendEvent(ctx.registry, {
      at,
      actor: ctx.actor,
      action: 'alias.remove',
      model,
      subject: `${model}@${previous}`,
      payload: { alias },
    });
    return { model, alias, previous };
  });
}

export async function tagVersion(ctx: MutateContext, ref: string, tagTexts: string[]) {
  if (tagTexts.length === 0) throw new UsageError('give at least one KEY=VALUE tag');
  const tags = parseTags(tagTexts);
  const v = await resolveRef(ctx.registry, ref);
  return ctx.registry.write(async () => {
    const at = ctx.clock.now().toISOString();
    await ctx.registry.setTags(v.id, tags);
    await appendEvent(ctx.registry, {
      at,
      actor: ctx.actor,
      action: 'tag',
      model: v.model,
      subject: formatRef(v),
      payload: { tags },
    });
    return { ref: formatRef(v), tags: await ctx.registry.tags(v.id) };
  });
}

export async function archiveVersion(ctx: MutateContext, ref: string) {
  const v = await resolveRef(ctx.registry, ref);
  const aliases = await ctx.registry.aliasesOf(v.id);
  if (aliases.includes('champion')) {
    throw new UsageError(`${formatRef(v)} is the champion; promote another version or roll back before archiving it`);
  }
  if (aliases.length)
    throw new UsageError(
      `${formatRef(v)} still has aliases (${aliases.join(', ')}); remove them first with 'mlctl alias rm ${v.model} <alias>'`,
    );
  if (v.status === 'archived') return { ref: formatRef(v), status: 'archived' as const, changed: false };
  return ctx.registry.write(async () => {
    const at = ctx.clock.now().toISOString();
    await ctx.registry.setStatus(v.id, 'archived', at);
    await appendEvent(ctx.registry, {
      at,
      actor: ctx.actor,
      action: 'archive',
      model: v.model,
      subject: formatRef(v),
      payload: { previousStatus: v.status },
    });
    return { ref: formatRef(v), status: 'archived' as const, changed: true };
  });
}
