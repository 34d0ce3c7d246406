// Interactive share set-up on a terminal (@inquirer/prompts): the parameters people set most.
import {confirm, input} from '@inquirer/prompts';

export async function promptShareOptions(share: string, current: Map<string, string>): Promise<string[]> {
  const get = (k: string) => {
    for (const [key, v] of current) if (key.toLowerCase() === k) return v;
    return undefined;
  };
  const yes = (v: string | undefined, dflt: boolean) => (v === undefined ? dflt : /^(yes|true|1|enable|on)/i.test(v));
  const path = await input({message: `Directory shared as [${share}]`, default: get('path'), required: true});
  const comment = await input({message: 'Comment (shown in browse lists)', default: get('comment') ?? ''});
  const writable = await confirm({message: 'Writable?', default: !yes(get('read only'), true)});
  const guest = await confirm({message: 'Allow guests?', default: yes(get('guest ok'), false)});
  const validUsers = await input({message: 'Users allowed (blank: every user)', default: get('valid users') ?? ''});
  const browseable = await confirm({message: 'Visible in browse lists?', default: yes(get('browseable'), true)});
  return [
    `path = ${path}`,
    `comment = ${comment}`,
    `read only = ${writable ? 'no' : 'yes'}`,
    `guest ok = ${guest ? 'yes' : 'no'}`,
    `valid users = ${validUsers}`,
    `browseable = ${browseable ? 'yes' : 'no'}`,
  ];
}
