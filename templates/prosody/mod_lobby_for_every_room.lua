-- mod_lobby_for_every_room (jitsi-eu): every new conference room starts with its lobby on.
--
-- Load it on the conference MUC component. It does not build the lobby itself: it asks Jitsi's
-- mod_persistent_lobby (on the main VirtualHost) for one, which has Jitsi's mod_muc_lobby_rooms
-- make the room members-only, attach its lobby room, and tell clients and Jicofo. Marking the
-- room members-only here instead would refuse guests with no lobby to wait in. Who gets past
-- the lobby (muc_lobby_whitelist, room password, earlier admission) is decided there too.
-- Nothing is logged, so room names stay out of the logs.

local jid_node = require "util.jid".node;

-- Jicofo creates and destroys rooms with this prefix to check its own health; they need no lobby.
local HEALTH_CHECK_PREFIX = "__jicofo-health-check";

local function is_health_check_room(room_jid)
    local node = jid_node(room_jid) or "";
    return node:sub(1, #HEALTH_CHECK_PREFIX) == HEALTH_CHECK_PREFIX;
end

module:hook("muc-room-pre-create", function(event)
    local room = event.room;
    if is_health_check_room(room.jid) then
        return;
    end
    prosody.events.fire_event("create-persistent-lobby-room", { room = room });
end, -100); -- after Prosody's and Jitsi's checks that may refuse the room (priority -1 and up)
