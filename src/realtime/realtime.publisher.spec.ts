import { ConfigService } from '@nestjs/config';
import { Server } from 'socket.io';
import type { RealtimeConfig } from '../config/configuration';
import { RealtimeEvent, RealtimePublisher, userRoom } from './realtime.publisher';

/**
 * A publisher on a real Socket.IO namespace (its in-memory adapter, no server attached) where
 * user 7 has a socket.
 */
function publisherOn(realtime: RealtimeConfig) {
  const io = new Server();
  const namespace = io.of('/realtime');
  void namespace.adapter.addAll('socket-of-7', new Set([userRoom(7)]));
  const broadcast = jest.spyOn(namespace.adapter, 'broadcast');
  const publisher = new RealtimePublisher(new ConfigService({ realtime }));
  publisher.attach(namespace);
  const roomsSent = () => broadcast.mock.calls.map(([, options]) => [...options.rooms].sort());
  return { publisher, roomsSent };
}

describe('RealtimePublisher', () => {
  it('without Redis, sends only to users connected here, and nothing when none is', () => {
    const { publisher, roomsSent } = publisherOn({});
    publisher.toUsers([7, 8], RealtimeEvent.RideUpdated, { id: 1 });
    publisher.toUser(8, RealtimeEvent.RideUpdated, { id: 2 });
    expect(roomsSent()).toEqual([[userRoom(7)]]);
  });

  it('with Redis, sends to every user: another instance may hold their sockets', () => {
    const { publisher, roomsSent } = publisherOn({ redisUrl: 'redis://127.0.0.1:1' });
    publisher.toUsers([7, 8], RealtimeEvent.RideUpdated, { id: 1 });
    publisher.toUser(8, RealtimeEvent.RideUpdated, { id: 2 });
    expect(roomsSent()).toEqual([[userRoom(7), userRoom(8)], [userRoom(8)]]);
  });
});
