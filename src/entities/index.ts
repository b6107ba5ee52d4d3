import { CaptainMessage } from './captain-message.ts';
import { Club } from './club.ts';
import { League } from './league.ts';
import { Player } from './player.ts';
import { PlayerAvailability } from './player-availability.ts';
import { Poll, PollChoice, PollResponse } from './poll.ts';
import { SavedLineup } from './saved-lineup.ts';
import { ScheduleEntry } from './schedule.ts';
import { Series } from './series.ts';
import { Team } from './team.ts';
import { User } from './user.ts';
import { UserContext } from './user-context.ts';
import { UserPlayerAssociation } from './user-player-association.ts';

/** Every entity, for the DataSource. The tables themselves are defined by migrations. */
export const entities = [
  League,
  Club,
  Series,
  Team,
  Player,
  ScheduleEntry,
  User,
  Poll,
  PollChoice,
  PollResponse,
  CaptainMessage,
  UserPlayerAssociation,
  PlayerAvailability,
  UserContext,
  SavedLineup,
];
